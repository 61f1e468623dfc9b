using System.Buffers.Binary;

namespace Switchboard.Protocols.Rtcp;

/// <summary>The common part of RFC 4585 feedback (§6.1): FMT, sender SSRC, media source SSRC, then the FCI.</summary>
public readonly ref struct FeedbackPacket
{
    public const int FciOffset = 8;

    FeedbackPacket(RtcpPacketType type, int format, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<byte> fci)
    {
        Type = type;
        Format = format;
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
        Fci = fci;
    }

    public RtcpPacketType Type { get; }
    public int Format { get; }
    public uint SenderSsrc { get; }
    public uint MediaSsrc { get; }
    public ReadOnlySpan<byte> Fci { get; }

    public static bool TryRead(RtcpPacket packet, out FeedbackPacket feedback)
    {
        feedback = default;
        if (packet.Type is not (RtcpPacketType.TransportFeedback or RtcpPacketType.PayloadFeedback) || packet.Body.Length < FciOffset) return false;
        feedback = new(packet.Type, packet.Count, BinaryPrimitives.ReadUInt32BigEndian(packet.Body),
            BinaryPrimitives.ReadUInt32BigEndian(packet.Body[4..]), packet.Body[FciOffset..]);
        return true;
    }

    /// <summary>Writes header, sender and media SSRC; the caller writes <paramref name="fciLength"/> bytes of FCI after them.</summary>
    public static int WriteHeader(Span<byte> destination, RtcpPacketType type, int format, uint senderSsrc, uint mediaSsrc, int fciLength)
    {
        int length = RtcpPacket.HeaderLength + FciOffset + fciLength;
        if (destination.Length < length || fciLength % 4 != 0) return -1;
        RtcpPacket.WriteHeader(destination, type, format, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], mediaSsrc);
        return length;
    }
}

/// <summary>Generic NACK (RFC 4585 §6.2.1, RTPFB FMT 1): lost packets as (PID, BLP) pairs.</summary>
public static class GenericNack
{
    public const int Format = 1;

    public static bool Is(in FeedbackPacket feedback) => feedback.Type == RtcpPacketType.TransportFeedback && feedback.Format == Format;

    /// <summary>How many sequence numbers the FCI names (with duplicates): a PID and the bits of its BLP, per pair.</summary>
    public static int Count(in FeedbackPacket feedback)
    {
        int count = 0;
        var fci = feedback.Fci;
        for (int offset = 0; offset + 4 <= fci.Length; offset += 4)
            count += 1 + System.Numerics.BitOperations.PopCount(BinaryPrimitives.ReadUInt16BigEndian(fci[(offset + 2)..]));
        return count;
    }

    /// <summary>The lost sequence numbers the FCI names, in order, as many as <paramref name="into"/> holds (17 per pair).</summary>
    public static int Expand(in FeedbackPacket feedback, Span<ushort> into)
    {
        int count = 0;
        var fci = feedback.Fci;
        for (int offset = 0; offset + 4 <= fci.Length; offset += 4)
        {
            ushort pid = BinaryPrimitives.ReadUInt16BigEndian(fci[offset..]);
            ushort blp = BinaryPrimitives.ReadUInt16BigEndian(fci[(offset + 2)..]);
            if (count == into.Length) return count;
            into[count++] = pid;
            for (int bit = 0; bit < 16 && count < into.Length; bit++)
                if ((blp & (1 << bit)) != 0) into[count++] = (ushort)(pid + bit + 1);
        }
        return count;
    }

    /// <summary>Writes a NACK for <paramref name="lost"/> (ascending, wrap-aware order), packing up to 17 per pair.</summary>
    public static int Write(Span<byte> destination, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<ushort> lost)
    {
        Span<byte> fci = stackalloc byte[4 * Math.Max(lost.Length, 1)];
        int pairs = 0;
        for (int i = 0; i < lost.Length;)
        {
            ushort pid = lost[i++];
            ushort blp = 0;
            while (i < lost.Length && (ushort)(lost[i] - pid) is >= 1 and <= 16) blp |= (ushort)(1 << ((ushort)(lost[i++] - pid) - 1));
            BinaryPrimitives.WriteUInt16BigEndian(fci[(pairs * 4)..], pid);
            BinaryPrimitives.WriteUInt16BigEndian(fci[(pairs * 4 + 2)..], blp);
            pairs++;
        }
        int length = FeedbackPacket.WriteHeader(destination, RtcpPacketType.TransportFeedback, Format, senderSsrc, mediaSsrc, pairs * 4);
        if (length < 0) return -1;
        fci[..(pairs * 4)].CopyTo(destination[(RtcpPacket.HeaderLength + FeedbackPacket.FciOffset)..]);
        return length;
    }
}

/// <summary>Picture Loss Indication (RFC 4585 §6.3.1, PSFB FMT 1): no FCI.</summary>
public static class PictureLossIndication
{
    public const int Format = 1;

    public static bool Is(in FeedbackPacket feedback) => feedback.Type == RtcpPacketType.PayloadFeedback && feedback.Format == Format;

    public static int Write(Span<byte> destination, uint senderSsrc, uint mediaSsrc) =>
        FeedbackPacket.WriteHeader(destination, RtcpPacketType.PayloadFeedback, Format, senderSsrc, mediaSsrc, 0);
}

/// <summary>Full Intra Request (RFC 5104 §4.3.1, PSFB FMT 4): (SSRC, command sequence number) entries.</summary>
public static class FullIntraRequest
{
    public const int Format = 4;

    public static bool Is(in FeedbackPacket feedback) => feedback.Type == RtcpPacketType.PayloadFeedback && feedback.Format == Format;

    public static int EntryCount(in FeedbackPacket feedback) => feedback.Fci.Length / 8;

    public static (uint Ssrc, byte SequenceNumber) Entry(in FeedbackPacket feedback, int index) =>
        (BinaryPrimitives.ReadUInt32BigEndian(feedback.Fci[(index * 8)..]), feedback.Fci[index * 8 + 4]);

    public static int Write(Span<byte> destination, uint senderSsrc, uint mediaSsrc, byte sequenceNumber)
    {
        // §4.3.1.2: the media source SSRC field is 0; the FCI names the target.
        int length = FeedbackPacket.WriteHeader(destination, RtcpPacketType.PayloadFeedback, Format, senderSsrc, 0, 8);
        if (length < 0) return -1;
        var fci = destination[(RtcpPacket.HeaderLength + FeedbackPacket.FciOffset)..];
        BinaryPrimitives.WriteUInt32BigEndian(fci, mediaSsrc);
        fci[4] = sequenceNumber;
        fci[5..8].Clear();
        return length;
    }
}

/// <summary>
/// Receiver Estimated Maximum Bitrate (draft-alvestrand-rmcat-remb-03 §2.2, PSFB FMT 15 with "REMB"): a bitrate as
/// 6-bit exponent and 18-bit mantissa, and the SSRCs it applies to.
/// </summary>
public static class ReceiverEstimatedMaxBitrate
{
    public const int Format = 15;
    static ReadOnlySpan<byte> Identifier => "REMB"u8;

    public static bool TryRead(in FeedbackPacket feedback, out ulong bitsPerSecond, out int ssrcCount)
    {
        bitsPerSecond = 0;
        ssrcCount = 0;
        var fci = feedback.Fci;
        if (feedback.Type != RtcpPacketType.PayloadFeedback || feedback.Format != Format || fci.Length < 8 || !fci[..4].SequenceEqual(Identifier)) return false;
        ssrcCount = fci[4];
        if (fci.Length < 8 + 4 * ssrcCount) return false;
        int exponent = fci[5] >> 2;
        ulong mantissa = (ulong)((fci[5] & 0x03) << 16 | fci[6] << 8 | fci[7]);
        bitsPerSecond = exponent > 46 ? ulong.MaxValue : mantissa << exponent;
        return true;
    }

    public static uint Ssrc(in FeedbackPacket feedback, int index) => BinaryPrimitives.ReadUInt32BigEndian(feedback.Fci[(8 + 4 * index)..]);

    public static int Write(Span<byte> destination, uint senderSsrc, ulong bitsPerSecond, ReadOnlySpan<uint> ssrcs)
    {
        if (ssrcs.Length > 255) return -1;
        int length = FeedbackPacket.WriteHeader(destination, RtcpPacketType.PayloadFeedback, Format, senderSsrc, 0, 8 + 4 * ssrcs.Length);
        if (length < 0) return -1;
        int exponent = 0;
        while (bitsPerSecond >> exponent > 0x3FFFF) exponent++;
        uint mantissa = (uint)(bitsPerSecond >> exponent);
        var fci = destination[(RtcpPacket.HeaderLength + FeedbackPacket.FciOffset)..];
        Identifier.CopyTo(fci);
        fci[4] = (byte)ssrcs.Length;
        fci[5] = (byte)(exponent << 2 | (int)(mantissa >> 16));
        fci[6] = (byte)(mantissa >> 8);
        fci[7] = (byte)mantissa;
        for (int i = 0; i < ssrcs.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(fci[(8 + 4 * i)..], ssrcs[i]);
        return length;
    }
}
