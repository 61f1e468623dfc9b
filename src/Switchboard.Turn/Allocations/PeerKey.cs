using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Turn.Allocations;

/// <summary>
/// A peer's IP address as a value, made from an IPAddress or straight from a received SocketAddress
/// without allocating, so permission checks on the relay path stay allocation-free.
/// </summary>
public readonly record struct PeerKey(UInt128 Address, bool IsIPv6)
{
    public static PeerKey From(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        return written == 4
            ? new PeerKey(BinaryPrimitives.ReadUInt32BigEndian(bytes), false)
            : new PeerKey(BinaryPrimitives.ReadUInt128BigEndian(bytes), true);
    }

    /// <summary>From the 4 or 16 bytes of an address in network order.</summary>
    public static PeerKey From(ReadOnlySpan<byte> address) => address.Length == 16
        ? new PeerKey(BinaryPrimitives.ReadUInt128BigEndian(address), true)
        : new PeerKey(BinaryPrimitives.ReadUInt32BigEndian(address), false);

    /// <summary>Reads the address of a native sockaddr_in / sockaddr_in6 held by a SocketAddress.</summary>
    public static PeerKey From(SocketAddress address, out ushort port)
    {
        var bytes = address.Buffer.Span;
        port = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
        return address.Family == AddressFamily.InterNetworkV6
            ? new PeerKey(BinaryPrimitives.ReadUInt128BigEndian(bytes[8..]), true)
            : new PeerKey(BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]), false);
    }

    /// <summary>
    /// Writes port and address into a SocketAddress of the matching family, at the offsets that
    /// <see cref="From(SocketAddress, out ushort)"/> reads (flow information and scope ID zero).
    /// </summary>
    public void WriteTo(SocketAddress address, ushort port)
    {
        var bytes = address.Buffer.Span;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[2..], port);
        if (IsIPv6)
        {
            bytes[4..8].Clear();
            BinaryPrimitives.WriteUInt128BigEndian(bytes[8..], Address);
            bytes[24..28].Clear();
        }
        else BinaryPrimitives.WriteUInt32BigEndian(bytes[4..], (uint)Address);
    }

    /// <summary>Writes the 4 or 16 address bytes; returns how many.</summary>
    public int WriteBytes(Span<byte> destination)
    {
        if (IsIPv6)
        {
            BinaryPrimitives.WriteUInt128BigEndian(destination, Address);
            return 16;
        }
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)Address);
        return 4;
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        return new IPAddress(bytes[..WriteBytes(bytes)]);
    }

    public override string ToString() => ToIPAddress().ToString();
}

/// <summary>A peer's transport address (IP and port) as a value.</summary>
public readonly record struct PeerEndpointKey(PeerKey Address, ushort Port)
{
    public static PeerEndpointKey From(IPEndPoint endPoint) => new(PeerKey.From(endPoint.Address), (ushort)endPoint.Port);
}
