using BenchmarkDotNet.Attributes;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;

namespace Switchboard.Benchmarks;

/// <summary>
/// RTP header parse (alone and with an extension lookup), the SSRC rewrite a forwarding server makes per subscriber,
/// and RTCP compound parse (SR + SDES + REMB), per packet. The RTP packet is video: 1,180 bytes of payload after the
/// one-byte header extensions mid, abs-send-time and transport-wide-cc, as a browser sends them.
/// </summary>
[MemoryDiagnoser]
public class RtpBenchmarks
{
    readonly byte[] _rtp = new byte[1212];
    byte[] _rtcp = [];
    uint _ssrc = 0x1234;

    [GlobalSetup]
    public void Setup()
    {
        RtpPacketWriter.Write(_rtp, true, 96, 1, 3000, 0x1234, [new(1, "0"u8.ToArray()), new(3, new byte[] { 1, 2 }), new(2, new byte[] { 1, 2, 3 })], new byte[1180]);
        var buffer = new byte[200];
        int n = new SenderReport(1, 2, 3, 4, 5, [new ReportBlock(6, 0, 0, 7, 0, 0, 0)]).Write(buffer);
        n += SourceDescription.WriteCname(buffer.AsSpan(n), 1, "abcdefgh12345678");
        n += ReceiverEstimatedMaxBitrate.Write(buffer.AsSpan(n), 1, 2_000_000, [6]);
        _rtcp = buffer[..n];
    }

    [Benchmark(Description = "RTP header parse + SSRC + sequence number")]
    public uint RtpHeaderParse()
    {
        RtpPacket.TryParse(_rtp, out var rtp);
        return rtp.Ssrc + rtp.SequenceNumber;
    }

    [Benchmark(Description = "RTP SSRC rewrite (RtpHeaderRewriter.SetSsrc)")]
    public byte RtpSetSsrc()
    {
        RtpHeaderRewriter.SetSsrc(_rtp, ++_ssrc);
        return _rtp[11];
    }

    [Benchmark(Description = "RTP parse + transport-wide-cc lookup")]
    public int RtpParse()
    {
        RtpPacket.TryParse(_rtp, out var rtp);
        rtp.TryGetExtension(3, out var twcc);
        RtpExtensionValues.TryReadTransportSequenceNumber(twcc, out var sequence);
        return sequence + rtp.Payload.Length;
    }

    [Benchmark(Description = "RTCP compound parse: SR + SDES + REMB")]
    public ulong RtcpParse()
    {
        ulong result = 0;
        foreach (var packet in new RtcpCompound(_rtcp))
        {
            if (FeedbackPacket.TryRead(packet, out var feedback) && ReceiverEstimatedMaxBitrate.TryRead(feedback, out var bps, out _)) result += bps;
            else result += packet.SenderSsrc;
        }
        return result;
    }
}
