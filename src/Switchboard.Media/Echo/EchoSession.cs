using System.Buffers.Binary;
using Switchboard.Media.Peers;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;

namespace Switchboard.Media.Echo;

/// <summary>
/// Sends a peer's own media back to it: every RTP packet with its SSRC rewritten to the one the answer announced for
/// that section (its RTX to the announced RTX SSRC), SRs forwarded as the echo's own, and the browser's feedback on the
/// echoed streams (NACK, PLI, FIR) turned around to the streams it sends, so that a lost keyframe is sent again.
/// The echo also reports what it receives: RR every second (loss, round trip) and, when negotiated, transport-wide
/// congestion control feedback every 100 ms, from which the browser's sender estimates the bandwidth and ramps up.
/// </summary>
public sealed class EchoSession : IMediaPeerHandler
{
    private const int ReportIntervalMillis = 1000;
    private const int FeedbackIntervalMillis = 100;

    /// <summary>Header extensions passed through unchanged (the receiver is the sender, with the same ids).</summary>
    public static readonly IReadOnlyCollection<string> Extensions =
    [
        MediaCapabilities.MidUri,
        MediaCapabilities.TransportWideCcUri,
        MediaCapabilities.AudioLevelUri,
        MediaCapabilities.VideoOrientationUri,
        MediaCapabilities.DependencyDescriptorUri,
    ];

    private readonly object _gate = new();
    private readonly IReadOnlyList<EchoSection> _sections;
    private readonly int _midExtensionId;
    private readonly int _transportWideCcId;
    private readonly ReceiverFeedback _feedback;
    private long _nextReportAt;
    private readonly Dictionary<uint, (uint Out, EchoSection Section)> _inbound = [];
    private readonly Dictionary<uint, uint> _outToIn = [];
    private readonly Dictionary<uint, long> _forwardedReports = [];
    private readonly byte[] _rtcpBuffer = new byte[1500 + MediaPeer.ProtectionOverhead];
    private readonly byte[] _reportBuffer = new byte[1500 + MediaPeer.ProtectionOverhead];

    public EchoSession(string id, IReadOnlyList<EchoSection> sections, int midExtensionId, int transportWideCcId, TimeProvider time)
    {
        Id = id;
        _sections = sections;
        _midExtensionId = midExtensionId;
        _transportWideCcId = transportWideCcId;
        _feedback = new ReceiverFeedback(LocalSsrc, "switchboard-echo", time);
        foreach (EchoSection section in sections)
        {
            foreach (uint ssrc in section.InboundSsrcs) Map(ssrc, section.OutboundSsrc, section);
            foreach (uint ssrc in section.InboundRtxSsrcs) Map(ssrc, section.OutboundRtxSsrc, section);
        }
    }

    public string Id { get; }

    /// <summary>The RTCP sender SSRC of the echo's reports and feedback.</summary>
    public uint LocalSsrc { get; } = (uint)Random.Shared.NextInt64(1, uint.MaxValue);

    public long PacketsEchoed;
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? ConnectedAt { get; private set; }
    public string? ClosedReason { get; private set; }

    public event Action<EchoSession>? Closed;

    public void OnConnected(IMediaConnection peer) => ConnectedAt = DateTimeOffset.UtcNow;

    public void OnRtp(IMediaConnection peer, Span<byte> buffer, int length, long nowMillis)
    {
        if (!RtpPacket.TryParse(buffer[..length], out RtpPacket rtp)) return;
        uint outbound;
        lock (_gate)
        {
            if (!_inbound.TryGetValue(rtp.Ssrc, out var mapping) && !TryMapBySection(rtp, out mapping)) return;
            outbound = mapping.Out;
            _feedback.OnRtp(rtp.Ssrc, mapping.Section.ClockRate, rtp.SequenceNumber, rtp.Timestamp, rtp.TransportSequenceNumber(_transportWideCcId), nowMillis);
        }
        RtpHeaderRewriter.SetSsrc(buffer, outbound);
        if (peer.SendRtp(buffer, length)) Interlocked.Increment(ref PacketsEchoed);
    }

    /// <summary>An SSRC the offer did not list (RFC 8843 §9.2): its section by the mid header extension, RTX by payload type.</summary>
    private bool TryMapBySection(in RtpPacket rtp, out (uint Out, EchoSection Section) mapping)
    {
        mapping = default;
        if (_midExtensionId <= 0 || !rtp.TryGetExtension(_midExtensionId, out ReadOnlySpan<byte> value)) return false;
        string mid = RtpExtensionValues.ReadIdentifier(value);
        EchoSection? section = _sections.FirstOrDefault(s => s.Mid == mid);
        if (section is null || _inbound.Count >= 64) return false;
        mapping = (section.RtxPayloadTypes.Contains(rtp.PayloadType) ? section.OutboundRtxSsrc : section.OutboundSsrc, section);
        if (_outToIn.ContainsKey(mapping.Out)) return false; // that section's stream is taken: a second source is not echoed
        Map(rtp.Ssrc, mapping.Out, section);
        return true;
    }

    private void Map(uint inbound, uint outbound, EchoSection section)
    {
        _inbound[inbound] = (outbound, section);
        _outToIn[outbound] = inbound;
    }

    public void OnRtcp(IMediaConnection peer, Span<byte> buffer, int length, long nowMillis)
    {
        Span<byte> output = _rtcpBuffer;
        int written = 0;
        lock (_gate)
        {
            foreach (RtcpPacket packet in new RtcpCompound(buffer[..length]))
            {
                if (ReportPacket.TryRead(packet, out ReportPacket report))
                {
                    ReadReports(peer, report, nowMillis);
                    if (report.IsSenderReport && _inbound.TryGetValue(report.Ssrc, out var mapping))
                    {
                        _feedback.OnSenderReport(report.Ssrc, report.NtpTimestamp, nowMillis);
                        var forwarded = new SenderReport(mapping.Out, report.NtpTimestamp, report.RtpTimestamp, report.PacketCount, report.OctetCount, []);
                        int n = forwarded.Write(output[written..]);
                        if (n > 0)
                        {
                            written += n;
                            RememberForwarded((uint)(report.NtpTimestamp >> 16), nowMillis);
                        }
                    }
                }
                else if (FeedbackPacket.TryRead(packet, out FeedbackPacket feedback) && _outToIn.TryGetValue(feedback.MediaSsrc, out uint source)
                    && (GenericNack.Is(feedback) || PictureLossIndication.Is(feedback) || FullIntraRequest.Is(feedback)))
                {
                    written += TurnAround(packet, feedback, source, output[written..]);
                }
            }
        }
        if (written > 0) peer.SendRtcp(_rtcpBuffer, written);
    }

    /// <summary>Copies a feedback packet about an echoed stream, addressed to the stream the browser sends instead.</summary>
    private int TurnAround(RtcpPacket packet, in FeedbackPacket feedback, uint source, Span<byte> output)
    {
        int length = RtcpPacket.HeaderLength + packet.Body.Length;
        if (output.Length < length) return 0;
        int written = FeedbackPacket.WriteHeader(output, feedback.Type, feedback.Format, LocalSsrc, source, feedback.Fci.Length);
        if (written < 0) return 0;
        feedback.Fci.CopyTo(output[(RtcpPacket.HeaderLength + FeedbackPacket.FciOffset)..]);
        if (FullIntraRequest.Is(feedback)) // FIR names its target in each FCI entry too (RFC 5104 §4.3.1.1)
            for (int entry = 0; entry < FullIntraRequest.EntryCount(feedback); entry++)
                BinaryPrimitives.WriteUInt32BigEndian(output[(RtcpPacket.HeaderLength + FeedbackPacket.FciOffset + 8 * entry)..], source);
        return written;
    }

    /// <summary>When each forwarded SR went out, by its LSR key; bounded, oldest dropped first (reports refer to recent SRs).</summary>
    private void RememberForwarded(uint middle32, long nowMillis)
    {
        const int Kept = 32;
        if (_forwardedReports.Count >= Kept)
            _forwardedReports.Remove(_forwardedReports.MinBy(r => r.Value).Key);
        _forwardedReports[middle32] = nowMillis;
    }

    /// <summary>The browser's reports on echoed streams: their loss, and the round trip (now less when the SR went out less DLSR).</summary>
    private void ReadReports(IMediaConnection peer, in ReportPacket report, long nowMillis)
    {
        for (int i = 0; i < report.BlockCount; i++)
        {
            ReportBlock block = report.Block(i);
            if (!_outToIn.ContainsKey(block.Ssrc)) continue;
            MediaQuality.FractionLost(block.FractionLost);
            if (block.LastSenderReport == 0 || !_forwardedReports.TryGetValue(block.LastSenderReport, out long sentAt)) continue;
            double rtt = nowMillis - sentAt - block.DelaySinceLastSenderReport * 1000.0 / 65536;
            if (rtt < 0) continue;
            peer.Statistics.RoundTripMillis = rtt;
            MediaQuality.RoundTrip(rtt);
        }
    }

    /// <summary>The echo answers no data channel section, so no SCTP arrives; a stray record is dropped.</summary>
    public void OnSctp(IMediaConnection peer, byte[] packet, long nowMillis) { }

    public long OnTimer(IMediaConnection peer, long nowMillis)
    {
        _feedback.SendTransportFeedback(peer, _reportBuffer);
        if (nowMillis >= _nextReportAt)
        {
            _nextReportAt = nowMillis + ReportIntervalMillis;
            _feedback.SendReceiverReport(peer, _reportBuffer, nowMillis);
        }
        return nowMillis + (_transportWideCcId > 0 ? FeedbackIntervalMillis : ReportIntervalMillis);
    }

    public void OnClosed(IMediaConnection peer, string reason)
    {
        ClosedReason = reason;
        Closed?.Invoke(this);
    }
}

/// <summary>One echoed media section: where its packets come from (the offer's SSRCs) and the SSRCs they go back with.</summary>
public sealed record EchoSection(string Mid, string Kind, int ClockRate, uint[] InboundSsrcs, uint[] InboundRtxSsrcs, HashSet<byte> RtxPayloadTypes,
    uint OutboundSsrc, uint OutboundRtxSsrc);
