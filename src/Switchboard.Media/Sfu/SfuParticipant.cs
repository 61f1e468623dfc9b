using Switchboard.Protocols.Bwe;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;
using Switchboard.Media.Peers;

namespace Switchboard.Media.Sfu;

/// <summary>
/// One participant of an SFU room and its peer connection, which carries both what it publishes and what it receives.
/// Publishing: packets are matched to a track layer (by SSRC, or by mid and rid header extensions for simulcast),
/// repaired from RTX, kept for retransmission and fanned out; the participant gets receiver reports, transport-wide
/// feedback, NACKs for what the SFU lost and throttled keyframe requests. Subscribing: its RTCP about the streams it
/// receives (NACK, PLI/FIR) goes to the matching <see cref="DownTrack"/>, its transport-wide feedback (or REMB) to the
/// estimate of its path, and its timer picks their layers.
/// </summary>
internal sealed class SfuParticipant : IMediaPeerHandler
{
    private const int FeedbackIntervalMillis = 100, ReportIntervalMillis = 1000, LayerIntervalMillis = 250;

    private readonly Lock _inboundGate = new();
    private readonly byte[] _rtcpBuffer = new byte[1500 + MediaPeer.ProtectionOverhead];
    private readonly ReceiverFeedback _feedback;
    private Dictionary<uint, InboundStream> _inbound = [];
    private InboundRoutes _routes = InboundRoutes.None;
    private Dictionary<uint, DownTrack> _downBySsrc = [];
    private long _nextReportAt, _nextLayerSelectionAt;

    /// <summary>What the path to the participant carries (the SFU's estimate, or its browser's REMB); unknown at first.</summary>
    private long _receiveEstimate = long.MaxValue;

    /// <summary>The highest REMB of late, and until when the path counts as congested.</summary>
    private long _estimatePeak, _congestedUntil;

    /// <summary>
    /// A probe of the path to the participant: copies per video packet, until when it runs, when the next may start,
    /// and the bytes sent at the last layer selection (for the rate sent since).
    /// </summary>
    private int _probeCopies;
    private long _probeUntil, _nextProbeAt, _bytesSentBefore, _bytesSentAt;

    /// <summary>Snapshots of <see cref="Published"/> and <see cref="Subscriptions"/> for the timer, which runs outside the room's lock.</summary>
    private PublishedTrack[] _publishedSnapshot = [];
    private DownTrack[] _subscriptionSnapshot = [];

    public SfuParticipant(SfuRoom room, string id)
    {
        Room = room;
        Id = id;
        _feedback = new ReceiverFeedback(LocalSsrc, id);
    }

    public SfuRoom Room { get; }
    public string Id { get; }

    /// <summary>The RTCP sender SSRC of what the SFU sends this participant about its streams.</summary>
    public uint LocalSsrc { get; } = RandomSsrc();

    /// <summary>The peer connection now (replaced when the participant offers a new one).</summary>
    public MediaPeer? Peer { get; set; }

    /// <summary>Its published tracks by source, and its subscriptions by mid (changed under the room's lock).</summary>
    public Dictionary<string, PublishedTrack> Published { get; } = [];
    public Dictionary<string, DownTrack> Subscriptions { get; } = [];

    /// <summary>Room checks of the participant's sending bit rate over the limit in a row, and whether its video is held back.</summary>
    public int OverLimitChecks;
    public bool Throttled;

    /// <summary>The SFU's own estimate of the path to this participant, from transport-wide feedback on what it sends.</summary>
    public SendSideBandwidthEstimator Bandwidth { get; } = new();

    /// <summary>
    /// While a probe runs, how many times each video packet forwarded to the participant is sent again (0: no probe).
    /// The copies raise what the path carries to the rate a higher layer needs; if it arrives without overuse, the
    /// estimate rises to it and the layer can be taken.
    /// </summary>
    public int ProbeCopies => Volatile.Read(ref _probeCopies);

    private const int ProbeMillis = 1500, ProbeIntervalMillis = 3000, MaxProbeCopies = 8;

    public static uint RandomSsrc() => (uint)Random.Shared.NextInt64(1, uint.MaxValue);

    /// <summary>After an offer: how packets find their track, and subscriptions by the SSRCs the SFU sends them with.</summary>
    public void Route(InboundRoutes routes, bool newConnection)
    {
        lock (_inboundGate)
        {
            _routes = routes;
            var inbound = new Dictionary<uint, InboundStream>();
            foreach (var (ssrc, stream) in routes.Signalled) inbound[ssrc] = stream;
            if (!newConnection)
                foreach (var (ssrc, stream) in _inbound)
                    if (routes.ByMid.ContainsValue(stream.Track)) inbound.TryAdd(ssrc, stream);
            _inbound = inbound;
        }
        Reroute();
    }

    /// <summary>Refreshes what the timer and RTCP path read after the room changed this participant's tracks (under the room's lock).</summary>
    public void Reroute()
    {
        Volatile.Write(ref _publishedSnapshot, Published.Values.ToArray());
        Volatile.Write(ref _subscriptionSnapshot, Subscriptions.Values.ToArray());
        var bySsrc = new Dictionary<uint, DownTrack>();
        foreach (DownTrack down in Subscriptions.Values)
        {
            bySsrc[down.Ssrc] = down;
            if (down.HasRtx) bySsrc[down.RtxSsrc] = down;
        }
        Volatile.Write(ref _downBySsrc, bySsrc);
    }

    public void OnConnected(MediaPeer peer) { }

    public void OnRtp(MediaPeer peer, Span<byte> buffer, int length, long nowMillis)
    {
        if (peer != Peer || !RtpPacket.TryParse(buffer[..length], out RtpPacket rtp)) return;
        InboundStream stream;
        lock (_inboundGate)
        {
            if (!_inbound.TryGetValue(rtp.Ssrc, out stream) && !TryLearn(rtp, out stream)) return;
            TrackSetup setup = stream.Track.Setup;
            _feedback.OnRtp(rtp.Ssrc, setup.ClockRate, rtp.SequenceNumber, rtp.Timestamp, rtp.TransportSequenceNumber(_routes.TransportWideCcId), nowMillis);
            if (!stream.IsRtx && stream.Layer < setup.Layers.Length) setup.Layers[stream.Layer].Missing.OnPacket(rtp.SequenceNumber, nowMillis);
        }
        PublishedTrack track = stream.Track;
        TrackLayer[] layers = track.Setup.Layers;
        if (stream.Layer >= layers.Length) return;
        TrackLayer layer = layers[stream.Layer];
        if (stream.IsRtx)
        {
            int primary = track.Setup.PrimaryOf(rtp.PayloadType);
            if (primary < 0 || layer.Ssrc == 0 || !RtxPacket.TryUnwrap(buffer, length, (byte)primary, layer.Ssrc, out length)) return;
            if (!RtpPacket.TryParse(buffer[..length], out rtp)) return;
            lock (_inboundGate) layer.Missing.OnPacket(rtp.SequenceNumber, nowMillis);
        }
        ReadOnlySpan<byte> packet = buffer[..length];
        layer.Retransmission.Store(packet, rtp.SequenceNumber, nowMillis);
        layer.Bitrate.Add(length, nowMillis);
        bool keyframe = track.IsVideo && KeyframeDetector.IsKeyframeStart(track.Setup.CodecOf(rtp.PayloadType), rtp.Payload);
        if (keyframe) layer.OnKeyframe(nowMillis);
        else if (!track.IsVideo && _routes.AudioLevelId > 0 && rtp.TryGetExtension(_routes.AudioLevelId, out ReadOnlySpan<byte> level)
                 && RtpExtensionValues.TryReadAudioLevel(level, out _, out byte dbov) && !track.Muted)
            Room.RecordAudioLevel(Id, dbov, nowMillis);
        track.Forward(stream.Layer, packet, keyframe, nowMillis);
    }

    /// <summary>An SSRC the offer did not list (RFC 8843 §9.2, RFC 8852): its track by mid, its layer by rid (or repaired rid for RTX).</summary>
    private bool TryLearn(in RtpPacket rtp, out InboundStream stream)
    {
        stream = default;
        InboundRoutes routes = _routes;
        if (routes.MidId <= 0 || _inbound.Count >= 64 || !rtp.TryGetExtension(routes.MidId, out ReadOnlySpan<byte> midValue)) return false;
        if (!routes.ByMid.TryGetValue(RtpExtensionValues.ReadIdentifier(midValue), out PublishedTrack? track)) return false;
        TrackSetup setup = track.Setup;
        bool isRtx = setup.PrimaryOf(rtp.PayloadType) >= 0;
        int layer = 0;
        if (setup.Layers.Length > 1)
        {
            int id = isRtx ? routes.RepairedRidId : routes.RidId;
            if (id <= 0 || !rtp.TryGetExtension(id, out ReadOnlySpan<byte> ridValue)) return false;
            layer = setup.LayerOf(RtpExtensionValues.ReadIdentifier(ridValue));
            if (layer < 0) return false;
        }
        if (setup.Layers.Length == 0) return false;
        if (isRtx) setup.Layers[layer].RtxSsrc = rtp.Ssrc;
        else setup.Layers[layer].Ssrc = rtp.Ssrc;
        stream = new InboundStream(track, layer, isRtx);
        _inbound[rtp.Ssrc] = stream;
        return true;
    }

    public void OnRtcp(MediaPeer peer, Span<byte> buffer, int length, long nowMillis)
    {
        if (peer != Peer) return;
        Span<ushort> lost = stackalloc ushort[256];
        Dictionary<uint, DownTrack> downTracks = Volatile.Read(ref _downBySsrc);
        foreach (RtcpPacket packet in new RtcpCompound(buffer[..length]))
        {
            if (ReportPacket.TryRead(packet, out ReportPacket report))
            {
                if (report.IsSenderReport) OnSenderReport(report.Ssrc, report.NtpTimestamp, report.RtpTimestamp, nowMillis);
                for (int i = 0; i < report.BlockCount; i++)
                {
                    ReportBlock block = report.Block(i);
                    if (downTracks.TryGetValue(block.Ssrc, out DownTrack? reported) && reported.RoundTripMillis(block, nowMillis) is { } rtt)
                        peer.Statistics.RoundTripMillis = rtt;
                }
                continue;
            }
            if (!FeedbackPacket.TryRead(packet, out FeedbackPacket feedback)) continue;
            if (TransportFeedback.Is(feedback) && TransportFeedback.TryRead(feedback, out TransportFeedback transportFeedback))
            {
                bool overuse = Bandwidth.OnFeedback(transportFeedback, nowMillis);
                lock (_inboundGate)
                {
                    _receiveEstimate = Bandwidth.Estimate;
                    if (overuse)
                    {
                        _congestedUntil = nowMillis + 2000;
                        Volatile.Write(ref _probeCopies, 0); // the path carries no more
                    }
                }
                continue;
            }
            if (ReceiverEstimatedMaxBitrate.TryRead(feedback, out ulong bitrate, out _))
            {
                OnReceiverEstimate((long)Math.Min(bitrate, long.MaxValue), nowMillis);
                continue;
            }
            if (!downTracks.TryGetValue(feedback.MediaSsrc, out DownTrack? down)) continue;
            if (GenericNack.Is(feedback)) down.Retransmit(lost[..GenericNack.Expand(feedback, lost)], nowMillis);
            else if (PictureLossIndication.Is(feedback) || FullIntraRequest.Is(feedback)) down.OnKeyframeRequest(nowMillis);
        }
    }

    private void OnSenderReport(uint ssrc, ulong ntpTimestamp, uint rtpTimestamp, long nowMillis)
    {
        InboundStream stream;
        lock (_inboundGate)
            if (!_inbound.TryGetValue(ssrc, out stream) || stream.IsRtx) return;
        _feedback.OnSenderReport(ssrc, ntpTimestamp, nowMillis);
        foreach (DownTrack down in stream.Track.Subscribers) down.OnSenderReport(stream.Layer, ntpTimestamp, rtpTimestamp, nowMillis);
    }

    /// <summary>Asks this participant for a keyframe on one of its streams (RFC 4585 §6.3.1).</summary>
    public void SendPictureLossIndication(uint mediaSsrc)
    {
        if (mediaSsrc == 0 || Peer is not { } peer) return;
        Span<byte> buffer = stackalloc byte[12 + MediaPeer.ProtectionOverhead];
        int written = PictureLossIndication.Write(buffer, LocalSsrc, mediaSsrc);
        if (written > 0) peer.SendRtcp(buffer, written);
    }

    public long OnTimer(MediaPeer peer, long nowMillis)
    {
        if (peer != Peer) return nowMillis + ReportIntervalMillis;
        _feedback.SendTransportFeedback(peer, _rtcpBuffer);
        AskAgainForLost(peer, nowMillis);
        if (nowMillis >= _nextReportAt)
        {
            _nextReportAt = nowMillis + ReportIntervalMillis;
            _feedback.SendReceiverReport(peer, _rtcpBuffer, nowMillis);
        }
        foreach (PublishedTrack track in Volatile.Read(ref _publishedSnapshot))
            foreach (TrackLayer layer in track.Setup.Layers)
                if (layer.TakeDueKeyframeRequest(nowMillis)) SendPictureLossIndication(layer.Ssrc);
        if (nowMillis >= _nextLayerSelectionAt)
        {
            _nextLayerSelectionAt = nowMillis + LayerIntervalMillis;
            SelectLayers(peer, nowMillis);
        }
        Room.OnTimer(nowMillis);
        return nowMillis + FeedbackIntervalMillis;
    }

    /// <summary>NACKs to this participant for the packets of its streams the SFU has not received.</summary>
    private void AskAgainForLost(MediaPeer peer, long nowMillis)
    {
        Span<ushort> due = stackalloc ushort[128];
        foreach (PublishedTrack track in Volatile.Read(ref _publishedSnapshot))
        {
            if (!track.IsVideo) continue;
            foreach (TrackLayer layer in track.Setup.Layers)
            {
                int count;
                lock (_inboundGate) count = layer.Missing.CollectDue(nowMillis, (long)peer.Statistics.RoundTripMillis, due);
                if (count == 0 || layer.Ssrc == 0) continue;
                int written = GenericNack.Write(_rtcpBuffer, LocalSsrc, layer.Ssrc, due[..count]);
                if (written > 0) peer.SendRtcp(_rtcpBuffer, written);
            }
        }
    }

    /// <summary>
    /// A REMB from the participant's browser. Its estimator lowers the estimate when it sees queues build (overuse) and
    /// otherwise raises it slowly; a fall of more than 10 % below the recent peak is taken as congestion for 2 s.
    /// </summary>
    private void OnReceiverEstimate(long bitrate, long nowMillis)
    {
        lock (_inboundGate)
        {
            if (bitrate < _estimatePeak * 9 / 10) _congestedUntil = nowMillis + 2000;
            _estimatePeak = bitrate >= _estimatePeak ? bitrate : Math.Max(bitrate, _estimatePeak * 97 / 100);
            _receiveEstimate = bitrate;
        }
    }

    /// <summary>
    /// Each video subscription gets an equal share of what the path to the participant carries. Subscriptions that
    /// would go up but whose share falls short start a probe of the path, at most one per interval.
    /// </summary>
    private void SelectLayers(MediaPeer peer, long nowMillis)
    {
        DownTrack[] video = Volatile.Read(ref _subscriptionSnapshot).Where(d => d.Track.IsVideo && d.Enabled).ToArray();
        long estimate, congestedUntil;
        lock (_inboundGate) (estimate, congestedUntil) = (_receiveEstimate, _congestedUntil);
        long share = estimate == long.MaxValue || video.Length == 0 ? long.MaxValue : estimate / video.Length;
        bool congested = nowMillis < congestedUntil;
        long shortfall = 0;
        foreach (DownTrack down in video)
        {
            down.SelectLayer(share, congested, nowMillis, out long more);
            shortfall += Math.Max(0, more);
        }

        long bytesSent = Interlocked.Read(ref peer.Statistics.BytesSent);
        long sentRate = _bytesSentAt > 0 && nowMillis > _bytesSentAt ? (bytesSent - _bytesSentBefore) * 8 * 1000 / (nowMillis - _bytesSentAt) : 0;
        (_bytesSentBefore, _bytesSentAt) = (bytesSent, nowMillis);
        if (ProbeCopies > 0 && nowMillis >= _probeUntil) Volatile.Write(ref _probeCopies, 0);
        if (shortfall <= 0 || congested || ProbeCopies > 0 || nowMillis < _nextProbeAt || sentRate <= 0) return;
        // Send as much again as the shortfall, over what goes out now.
        int copies = (int)Math.Clamp((shortfall + sentRate - 1) / sentRate, 1, MaxProbeCopies);
        (_probeUntil, _nextProbeAt) = (nowMillis + ProbeMillis, nowMillis + ProbeIntervalMillis);
        Volatile.Write(ref _probeCopies, copies);
    }

    public void OnClosed(MediaPeer peer, string reason)
    {
        if (peer == Peer) Room.OnPeerClosed(this, reason);
    }
}

/// <summary>Where an incoming SSRC goes: a track, a layer, and whether it is the layer's RTX stream.</summary>
internal readonly record struct InboundStream(PublishedTrack Track, int Layer, bool IsRtx);

/// <summary>What an offer says about the participant's incoming packets: signalled SSRCs, tracks by mid, header extension ids.</summary>
internal sealed record InboundRoutes(Dictionary<uint, InboundStream> Signalled, Dictionary<string, PublishedTrack> ByMid,
    int MidId, int RidId, int RepairedRidId, int TransportWideCcId, int AudioLevelId)
{
    public static readonly InboundRoutes None = new([], [], 0, 0, 0, 0, 0);
}
