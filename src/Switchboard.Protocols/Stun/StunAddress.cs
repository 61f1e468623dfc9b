using System.Buffers.Binary;
using System.Net;

namespace Switchboard.Protocols.Stun;

/// <summary>
/// The address attribute value: reserved byte, family (1 = IPv4, 2 = IPv6), port, address;
/// the XOR form XORs the port and address with the magic cookie and transaction ID (RFC 8489 §14.1, §14.2).
/// </summary>
public static class StunAddress
{
    public const byte FamilyIPv4 = 0x01;
    public const byte FamilyIPv6 = 0x02;

    public static int EncodedLength(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 20 : 8;

    /// <summary>Writes the value; an empty <paramref name="xorWith"/> writes the plain form.</summary>
    public static void Encode(Span<byte> value, IPEndPoint endPoint, ReadOnlySpan<byte> xorWith)
    {
        Span<byte> address = stackalloc byte[16];
        endPoint.Address.TryWriteBytes(address, out int length);
        Encode(value, address[..length], endPoint.Port, xorWith);
    }

    /// <summary>Writes the value from raw address bytes (4 or 16), for callers that hold no IPAddress.</summary>
    public static void Encode(Span<byte> value, ReadOnlySpan<byte> address, int port, ReadOnlySpan<byte> xorWith)
    {
        value[0] = 0;
        value[1] = address.Length == 16 ? FamilyIPv6 : FamilyIPv4;
        BinaryPrimitives.WriteUInt16BigEndian(value[2..], (ushort)port);
        address.CopyTo(value[4..]);
        if (!xorWith.IsEmpty) ApplyXor(value, xorWith);
    }

    /// <summary>Reads the value; false for a bad family or length. An empty <paramref name="xorWith"/> reads the plain form.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> value, ReadOnlySpan<byte> xorWith, out IPEndPoint endPoint)
    {
        endPoint = null!;
        Span<byte> address = stackalloc byte[16];
        if (!TryDecode(value, xorWith, address, out int addressLength, out int port)) return false;
        endPoint = new IPEndPoint(new IPAddress(address[..addressLength]), port);
        return true;
    }

    /// <summary>
    /// Reads the value into raw address bytes (4 or 16, into a destination of at least 16) and a port,
    /// without allocating; false for a bad family or length.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> value, ReadOnlySpan<byte> xorWith, Span<byte> address, out int addressLength, out int port)
    {
        addressLength = 0;
        port = 0;
        if (value.Length < 4) return false;
        int length = value[1] switch { FamilyIPv4 => 4, FamilyIPv6 => 16, _ => 0 };
        if (length == 0 || value.Length != 4 + length) return false;
        Span<byte> plain = stackalloc byte[20];
        value.CopyTo(plain);
        plain = plain[..value.Length];
        if (!xorWith.IsEmpty) ApplyXor(plain, xorWith);
        port = BinaryPrimitives.ReadUInt16BigEndian(plain[2..]);
        plain[4..].CopyTo(address);
        addressLength = length;
        return true;
    }

    // Port XOR the cookie's top 16 bits; address XOR cookie (IPv4) or cookie || transaction ID (IPv6).
    private static void ApplyXor(Span<byte> value, ReadOnlySpan<byte> transactionId)
    {
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, StunConstants.MagicCookie);
        transactionId.CopyTo(mask[4..]);
        value[2] ^= mask[0];
        value[3] ^= mask[1];
        var address = value[4..];
        for (int i = 0; i < address.Length; i++) address[i] ^= mask[i];
    }
}
