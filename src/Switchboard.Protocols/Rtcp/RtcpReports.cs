using System.Buffers.Binary;

namespace Switchboard.Protocols.Rtcp;

/// <summary>A reception report block (RFC 3550 §6.4.1): what a receiver saw of one source.</summary>
public readonly record struct ReportBlock(uint Ssrc, byte FractionLost, int CumulativeLost, uint HighestSequence, uint Jitter, uint LastSenderReport, uint DelaySinceLastSenderReport)
{
    public const int Length = 24;

    public static ReportBlock Read(ReadOnlySpan<byte> b)
    {
        int lost = b[5] << 16 | b[6] << 8 | b[7];
        if ((lost & 0x800000) != 0) lost |= unchecked((int)0xFF000000); // 24-bit signed
        return new(BinaryPrimitives.ReadUInt32BigEndian(b), b[4], lost, BinaryPrimitives.ReadUInt32BigEndian(b[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(b[12..]), BinaryPrimitives.ReadUInt32BigEndian(b[16..]), BinaryPrimitives.ReadUInt32BigEndian(b[20..]));
    }

    public void Write(Span<byte> b)
    {
        BinaryPrimitives.WriteUInt32BigEndian(b, Ssrc);
        b[4] = FractionLost;
        int lost = Math.Clamp(CumulativeLost, -0x800000, 0x7FFFFF);
        b[5] = (byte)(lost >> 16);
        b[6] = (byte)(lost >> 8);
        b[7] = (byte)lost;
        BinaryPrimitives.WriteUInt32BigEndian(b[8..], HighestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(b[12..], Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(b[16..], LastSenderReport);
        BinaryPrimitives.WriteUInt32BigEndian(b[20..], DelaySinceLastSenderReport);
    }
}

/// <summary>SR (RFC 3550 §6.4.1): the sender's NTP and RTP clocks, its counts, and reception reports.</summary>
public readonly record struct SenderReport(uint Ssrc, ulong NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount, ReportBlock[] Reports)
{
    const int SenderInfoLength = 24;

    /// <summary>An SR with its blocks copied into an array; the receive path reads <see cref="ReportPacket"/> in place instead.</summary>
    public static bool TryRead(RtcpPacket packet, out SenderReport report)
    {
        report = default;
        if (!ReportPacket.TryRead(packet, out ReportPacket view) || !view.IsSenderReport) return false;
        report = new(view.Ssrc, view.NtpTimestamp, view.RtpTimestamp, view.PacketCount, view.OctetCount, view.Blocks());
        return true;
    }

    /// <returns>Bytes written, or -1 when <paramref name="destination"/> is too small or there are more than 31 reports.</returns>
    public int Write(Span<byte> destination)
    {
        int length = RtcpPacket.HeaderLength + SenderInfoLength + Reports.Length * ReportBlock.Length;
        if (Reports.Length > 31 || destination.Length < length) return -1;
        RtcpPacket.WriteHeader(destination, RtcpPacketType.SenderReport, Reports.Length, length);
        var body = destination[RtcpPacket.HeaderLength..];
        BinaryPrimitives.WriteUInt32BigEndian(body, Ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(body[4..], NtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(body[12..], RtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(body[16..], PacketCount);
        BinaryPrimitives.WriteUInt32BigEndian(body[20..], OctetCount);
        for (int i = 0; i < Reports.Length; i++) Reports[i].Write(body[(SenderInfoLength + i * ReportBlock.Length)..]);
        return length;
    }
}

/// <summary>RR (RFC 3550 §6.4.2): reception reports from a participant that does not send.</summary>
public readonly record struct ReceiverReport(uint Ssrc, ReportBlock[] Reports)
{
    public static bool TryRead(RtcpPacket packet, out ReceiverReport report)
    {
        report = default;
        if (!ReportPacket.TryRead(packet, out ReportPacket view) || view.IsSenderReport) return false;
        report = new(view.Ssrc, view.Blocks());
        return true;
    }

    public int Write(Span<byte> destination)
    {
        int length = RtcpPacket.HeaderLength + 4 + Reports.Length * ReportBlock.Length;
        if (Reports.Length > 31 || destination.Length < length) return -1;
        RtcpPacket.WriteHeader(destination, RtcpPacketType.ReceiverReport, Reports.Length, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Ssrc);
        for (int i = 0; i < Reports.Length; i++) Reports[i].Write(destination[(8 + i * ReportBlock.Length)..]);
        return length;
    }
}

/// <summary>
/// A view of an SR or RR without copying (RFC 3550 §6.4): the reporter's SSRC, the sender info of an SR, and the report
/// blocks read one at a time, for the receive path where <see cref="SenderReport.TryRead"/>'s array would be garbage.
/// </summary>
public readonly ref struct ReportPacket
{
    /// <summary>SSRC and sender info of an SR: NTP (8), RTP timestamp, packet count, octet count.</summary>
    private const int SenderInfoLength = 24;
    private readonly ReadOnlySpan<byte> _body;
    private readonly int _blocksOffset;

    private ReportPacket(ReadOnlySpan<byte> body, bool isSenderReport, int blockCount)
    {
        _body = body;
        IsSenderReport = isSenderReport;
        BlockCount = blockCount;
        _blocksOffset = isSenderReport ? SenderInfoLength : 4;
    }

    public bool IsSenderReport { get; }
    public int BlockCount { get; }
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    /// <summary>SR only: NTP timestamp, RTP timestamp, sender's packet and octet counts.</summary>
    public ulong NtpTimestamp => IsSenderReport ? BinaryPrimitives.ReadUInt64BigEndian(_body[4..]) : 0;
    public uint RtpTimestamp => IsSenderReport ? BinaryPrimitives.ReadUInt32BigEndian(_body[12..]) : 0;
    public uint PacketCount => IsSenderReport ? BinaryPrimitives.ReadUInt32BigEndian(_body[16..]) : 0;
    public uint OctetCount => IsSenderReport ? BinaryPrimitives.ReadUInt32BigEndian(_body[20..]) : 0;

    public ReportBlock Block(int index) => ReportBlock.Read(_body[(_blocksOffset + index * ReportBlock.Length)..]);

    /// <summary>Every block, copied into a new array.</summary>
    public ReportBlock[] Blocks()
    {
        var blocks = new ReportBlock[BlockCount];
        for (int i = 0; i < blocks.Length; i++) blocks[i] = Block(i);
        return blocks;
    }

    /// <summary>False unless the packet is an SR or RR long enough for its report count.</summary>
    public static bool TryRead(RtcpPacket packet, out ReportPacket report)
    {
        report = default;
        bool isSenderReport = packet.Type == RtcpPacketType.SenderReport;
        if (!isSenderReport && packet.Type != RtcpPacketType.ReceiverReport) return false;
        int needed = (isSenderReport ? SenderInfoLength : 4) + packet.Count * ReportBlock.Length;
        if (packet.Body.Length < needed) return false;
        report = new ReportPacket(packet.Body, isSenderReport, packet.Count);
        return true;
    }
}
