using System.Buffers.Binary;
using Switchboard.Protocols.Srtp;

namespace Switchboard.Media.Tests.Support;

/// <summary>Plain RTP and RTCP packets to protect, in buffers with room for the SRTP/SRTCP trailer.</summary>
internal static class Packets
{
    public const int PayloadType = 111;

    /// <summary>An RTP packet (RFC 3550 §5.1): 12-byte header, no CSRC, no extension, then the payload.</summary>
    public static byte[] Rtp(ushort sequence, uint timestamp, uint ssrc, ReadOnlySpan<byte> payload, bool marker = false)
    {
        var packet = new byte[12 + payload.Length];
        packet[0] = 0x80;
        packet[1] = (byte)((marker ? 0x80 : 0) | PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        payload.CopyTo(packet.AsSpan(12));
        return packet;
    }

    /// <summary>An RTCP sender report without report blocks (RFC 3550 §6.4.1), 28 bytes.</summary>
    public static byte[] RtcpSenderReport(uint ssrc, ulong ntp, uint rtpTimestamp, uint packetCount, uint octetCount)
    {
        var packet = new byte[28];
        packet[0] = 0x80;
        packet[1] = 200;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 6);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(packet.AsSpan(8), ntp);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(16), rtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(20), packetCount);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(24), octetCount);
        return packet;
    }

    public static ushort Sequence(ReadOnlySpan<byte> rtp) => BinaryPrimitives.ReadUInt16BigEndian(rtp[2..]);

    public static uint RtcpSenderSsrc(ReadOnlySpan<byte> rtcp) => BinaryPrimitives.ReadUInt32BigEndian(rtcp[4..]);

    /// <summary>Protects a copy of <paramref name="rtp"/>; fails the test unless the context accepts it.</summary>
    public static byte[] ProtectRtp(SrtpContext context, ReadOnlySpan<byte> rtp)
    {
        var buffer = new byte[rtp.Length + context.Profile.RtpTagLength()];
        rtp.CopyTo(buffer);
        Assert.Equal(SrtpResult.Ok, context.ProtectRtp(buffer, rtp.Length, out int protectedLength));
        return buffer[..protectedLength];
    }

    /// <summary>Protects a copy of <paramref name="rtcp"/>; fails the test unless the context accepts it.</summary>
    public static byte[] ProtectRtcp(SrtpContext context, ReadOnlySpan<byte> rtcp)
    {
        var buffer = new byte[rtcp.Length + context.Profile.RtcpOverhead()];
        rtcp.CopyTo(buffer);
        Assert.Equal(SrtpResult.Ok, context.ProtectRtcp(buffer, rtcp.Length, out int protectedLength));
        return buffer[..protectedLength];
    }
}
