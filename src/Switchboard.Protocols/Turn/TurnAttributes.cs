using System.Buffers.Binary;

namespace Switchboard.Protocols.Turn;

/// <summary>Values of the TURN attributes that are not addresses (RFC 8656 §18, RFC 6062 §6.2).</summary>
public static class TurnAttributes
{
    /// <summary>Protocol numbers of REQUESTED-TRANSPORT (§18.8; TCP from RFC 6062 §6.1).</summary>
    public const byte TransportUdp = 17;
    public const byte TransportTcp = 6;

    /// <summary>Families of REQUESTED-ADDRESS-FAMILY and ADDITIONAL-ADDRESS-FAMILY (§18.6, §18.11).</summary>
    public const byte FamilyIPv4 = 0x01;
    public const byte FamilyIPv6 = 0x02;

    public static bool TryReadUInt32(ReadOnlySpan<byte> value, out uint result)
    {
        result = 0;
        if (value.Length != 4) return false;
        result = BinaryPrimitives.ReadUInt32BigEndian(value);
        return true;
    }

    /// <summary>REQUESTED-TRANSPORT: protocol, then 3 reserved bytes.</summary>
    public static bool TryReadRequestedTransport(ReadOnlySpan<byte> value, out byte protocol)
    {
        protocol = 0;
        if (value.Length != 4) return false;
        protocol = value[0];
        return true;
    }

    public static void WriteRequestedTransport(Span<byte> value, byte protocol)
    {
        value.Clear();
        value[0] = protocol;
    }

    /// <summary>REQUESTED-ADDRESS-FAMILY / ADDITIONAL-ADDRESS-FAMILY: family, then 3 reserved bytes.</summary>
    public static bool TryReadAddressFamily(ReadOnlySpan<byte> value, out byte family)
    {
        family = 0;
        if (value.Length != 4) return false;
        family = value[0];
        return true;
    }

    /// <summary>EVEN-PORT: the R bit asks to reserve the next port too (§18.7).</summary>
    public static bool TryReadEvenPort(ReadOnlySpan<byte> value, out bool reserveNext)
    {
        reserveNext = false;
        if (value.Length != 1) return false;
        reserveNext = (value[0] & 0x80) != 0;
        return true;
    }

    /// <summary>CHANNEL-NUMBER: the number, then 2 reserved bytes (§18.1).</summary>
    public static bool TryReadChannelNumber(ReadOnlySpan<byte> value, out ushort channel)
    {
        channel = 0;
        if (value.Length != 4) return false;
        channel = BinaryPrimitives.ReadUInt16BigEndian(value);
        return true;
    }

    public static void WriteChannelNumber(Span<byte> value, ushort channel)
    {
        value.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(value, channel);
    }

    /// <summary>RESERVATION-TOKEN: 8 bytes (§18.10).</summary>
    public static bool TryReadReservationToken(ReadOnlySpan<byte> value, out ulong token)
    {
        token = 0;
        if (value.Length != 8) return false;
        token = BinaryPrimitives.ReadUInt64BigEndian(value);
        return true;
    }

    /// <summary>ICMP: type and code after 2 reserved bytes, then 4 bytes of error data (§18.13).</summary>
    public static void WriteIcmp(Span<byte> value, byte type, byte code, uint errorData)
    {
        value.Clear();
        value[2] = type;
        value[3] = code;
        BinaryPrimitives.WriteUInt32BigEndian(value[4..], errorData);
    }
}
