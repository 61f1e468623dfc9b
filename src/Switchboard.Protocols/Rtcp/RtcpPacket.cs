using System.Buffers.Binary;

namespace Switchboard.Protocols.Rtcp;

/// <summary>RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1).</summary>
public enum RtcpPacketType : byte
{
    SenderReport = 200,
    ReceiverReport = 201,
    SourceDescription = 202,
    Goodbye = 203,
    ApplicationDefined = 204,
    TransportFeedback = 205,
    PayloadFeedback = 206,
}

/// <summary>
/// One packet of an RTCP compound (RFC 3550 §6.4): its type, the 5-bit count (the feedback message type, FMT, for
/// RFC 4585 feedback) and its body after the 4-byte common header, padding removed.
/// </summary>
public readonly ref struct RtcpPacket(RtcpPacketType type, int count, ReadOnlySpan<byte> body)
{
    public const int HeaderLength = 4;

    public RtcpPacketType Type { get; } = type;

    /// <summary>Report count, source count, or FMT for feedback packets.</summary>
    public int Count { get; } = count;

    public ReadOnlySpan<byte> Body { get; } = body;

    /// <summary>The SSRC that begins the body of every type but APP-less oddities; 0 when the body is shorter.</summary>
    public uint SenderSsrc => Body.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(Body) : 0;

    /// <summary>Writes the common header for a packet of <paramref name="totalLength"/> bytes (a multiple of 4).</summary>
    public static void WriteHeader(Span<byte> destination, RtcpPacketType type, int count, int totalLength)
    {
        destination[0] = (byte)(0x80 | (count & 0x1F));
        destination[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)(totalLength / 4 - 1));
    }
}

/// <summary>
/// Iterates the packets of an RTCP compound. <see cref="IsWellFormed"/> checks that the length words add up to the
/// datagram exactly; iteration stops at the first packet that does not fit, without throwing.
/// </summary>
public readonly ref struct RtcpCompound(ReadOnlySpan<byte> datagram)
{
    readonly ReadOnlySpan<byte> _datagram = datagram;

    public Enumerator GetEnumerator() => new(_datagram);

    /// <summary>Every packet is version 2 and the lengths cover the datagram exactly.</summary>
    public bool IsWellFormed()
    {
        if (_datagram.IsEmpty) return false;
        int offset = 0;
        var enumerator = GetEnumerator();
        while (enumerator.MoveNext()) offset = enumerator.Offset;
        return offset == _datagram.Length;
    }

    public ref struct Enumerator(ReadOnlySpan<byte> datagram)
    {
        readonly ReadOnlySpan<byte> _datagram = datagram;
        RtcpPacketType _type;
        int _count;
        int _bodyOffset;
        int _bodyLength;

        /// <summary>Where the next packet starts.</summary>
        public int Offset { get; private set; }

        public readonly RtcpPacket Current => new(_type, _count, _datagram.Slice(_bodyOffset, _bodyLength));

        public bool MoveNext()
        {
            var rest = _datagram[Offset..];
            if (rest.Length < RtcpPacket.HeaderLength || rest[0] >> 6 != 2) return false;
            int length = (BinaryPrimitives.ReadUInt16BigEndian(rest[2..]) + 1) * 4;
            if (length > rest.Length) return false;
            int padding = 0;
            if ((rest[0] & 0x20) != 0)
            {
                padding = rest[length - 1];
                if (padding == 0 || padding > length - RtcpPacket.HeaderLength) return false;
            }
            _type = (RtcpPacketType)rest[1];
            _count = rest[0] & 0x1F;
            _bodyOffset = Offset + RtcpPacket.HeaderLength;
            _bodyLength = length - RtcpPacket.HeaderLength - padding;
            Offset += length;
            return true;
        }
    }
}
