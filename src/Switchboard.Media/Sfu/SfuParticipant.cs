using Switchboard.Media.Contracts;
using Switchboard.Media.Peers;
using Switchboard.Media.Sfu.Data;
using Switchboard.Media.Transport;
using Switchboard.Protocols.Bwe;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;

namespace Switchboard.Media.Sfu;

/// <summary>
/// One participant of an SFU room and its peer connection, which carries both what it publishes and what it receives.
/// Publishing: packets are matched to a track layer (by SSRC, or by mid and rid header extensions for simulcast),
/// repaired from RTX, kept for retransmission and fanned out; the participant gets receiver reports, transport-wide
/// feedback, NACKs for what the SFU lost and throttled keyframe requests. Subscribing: its RTCP about the streams it
/// receives (NACK, PLI/FIR) goes to the matching <see cref="DownTrack"/>, its transport-wide feedback (or REMB) to the
/// estimate of its path, and its timer picks their layers.
/// Who writes what: its tracks, subscriptions and connection change under the room's lock (and are read through
/// snapshots); its inbound state (SSRC table, reception statistics, what was lost) under its inbound lock, by its
/// connection's packets and timer; its path estimate is thread-safe on its own.
/// </summary>
internal sealed class SfuParticipant : IMediaPeerHandler
{
    public const int FeedbackIntervalMillis = 100, ReportIntervalMillis = 1000, LayerIntervalMillis = 250;

    /// <summary>Checks over the bit rate limit in a row before the participant's video is held back (5 s of the room's checks).</summary>
    private const int ChecksBeforeHolding = 5000 / SfuRoom.LayerDemandIntervalMillis;

    private readonly Lock _inboundGate = new();
    private readonly byte[] _rtcpBuffer = new byte[1500 + MediaPeer.ProtectionOverhead];
    private readonly ReceiverFeedback _feedback;
    private readonly Dictionary<TrackSource, PublishedTrack> _published = [];
    private readonly Dictionary<string, DownTrack> _subscriptions = [];
    private Dictionary<uint, InboundStream> _inbound = [];
    private InboundRoutes _routes = InboundRoutes.None;
    private Dictionary<uint, DownTrack> _downBySsrc = [];
    private PublishedTrack[] _publishedSnapshot = [];
    private DownTrack[] _subscriptionSnapshot = [];
    private IMediaConnection? _connection;
    private ParticipantData? _data;
    private long _nextReportAt, _nextLayerSelectionAt;
    private int _overLimitChecks;

    public SfuParticipant(SfuRoom room, string id)
    {
        Room = room;
        Id = id;
        _feedback = new ReceiverFeedback(LocalSsrc, id, room.Service.Transport.Time);
        Events = new MediaEventLog(room.Service.Transport.Time);
    }

    public SfuRoom Room { get; }
    public string Id { get; }

    /// <summary>The RTCP sender SSRC of what the SFU sends this participant about its streams.</summary>
    public uint LocalSsrc { get; } = RandomSsrc();

    /// <summary>The peer connection now (replaced when the participant offers a new one; null once it ended).</summary>
    public IMediaConnection? Connection => Volatile.Read(ref _connection);

    /// <summary>Its end of the room's data bus, while its connection has data channels.</summary>
    public ParticipantData? Data => Volatile.Read(ref _data);

    /// <summary>Its grant to send on the room's data bus (set by each offer).</summary>
    public bool MaySendData { get; set; }

    /// <summary>Its published tracks by source, and its subscriptions by mid (read under the room's lock).</summary>
    public IReadOnlyDictionary<TrackSource, PublishedTrack> Published => _published;
    public IReadOnlyDictionary<string, DownTrack> Subscriptions => _subscriptions;

    /// <summary>Whether its video is held back for sending far over its bit rate limit (room's lock).</summary>
    public bool Held { get; private set; }

    /// <summary>What the path to this participant carries, from feedback on what the SFU sends it.</summary>
    public PathEstimate Path { get; } = new();

    /// <summary>What happened to its media lately, for the admin dashboard.</summary>
    public MediaEventLog Events { get; }

    /// <summary>What may be sent to it again: half of what it is sent (its NACKs cannot make the SFU an amplifier).</summary>
    public RetransmissionBudget Retransmissions { get; } = new();

    /// <summary>Sequence numbers one RTCP datagram may ask to be sent again; the rest are refused (the work per datagram is bounded).</summary>
    public const int MaxRetransmissionsPerDatagram = 256;

    public static uint RandomSsrc() => (uint)Random.Shared.NextInt64(1, uint.MaxValue);

    // Structure, under the room's lock.

    public void UseConnection(IMediaConnection? connection) => Volatile.Write(ref _connection, connection);

    /// <summary>Its data channels' end of the bus (null: none); the one it replaces is closed.</summary>
    public void UseData(ParticipantData? data)
    {
        ParticipantData? previous = Interlocked.Exchange(ref _data, data);
        if (previous != data) previous?.Close();
    }

    public void Publish(PublishedTrack track)
    {
        _published[track.Source] = track;
        Reroute();
    }

    public void Unpublish(PublishedTrack track)
    {
        _published.Remove(track.Source);
        Reroute();
    }

    public void Subscribe(IReadOnlyDictionary<string, DownTrack> subscriptions)
    {
        _subscriptions.Clear();
        foreach (var (mid, down) in subscriptions) _subscriptions[mid] = down;
        Reroute();
    }

    public void Unsubscribe(string mid)
    {
        _subscriptions.Remove(mid);
        Reroute();
    }

    /// <summary>
    /// One room check of its sending bit rate against <paramref name="limit"/>: held back once it sent more than twice
    /// the limit for <see cref="ChecksBeforeHolding"/> checks in a row, released once it is under again. True when that changed.
    /// </summary>
    public bool CheckBitrate(long bitrate, long limit)
    {
        _overLimitChecks = bitrate > 2 * limit ? _overLimitChecks + 1 : 0;
        bool held = _overLimitChecks >= ChecksBeforeHolding;
        if (held == Held) return false;
        Held = held;
        foreach (PublishedTrack track in _published.Values)
            if (track.IsVideo) track.SetHeld(held);
        return true;
    }

    /// <summary>Refreshes what the timer and RTCP path read after its tracks or subscriptions changed.</summary>
    private void Reroute()
    {
        Volatile.Write(ref _publishedSnapshot, _published.Values.ToArray());
        Volatile.Write(ref _subscriptionSnapshot, _subscriptions.Values.ToArray());
        var bySsrc = new Dictionary<uint, DownTrack>();
        foreach (DownTrack down in _subscriptions.Values)
        {
            bySsrc[down.Ssrc] = down;
            if (down.HasRtx) bySsrc[down.RtxSsrc] = down;
        }
        Volatile.Write(ref _downBySsrc, bySsrc);
    }

    /// <summary>After an offer: how packets find their track; SSRCs the offer signalled are bound to their layers.</summary>
    public void Route(InboundRoutes routes, bool newConnection)
    {
        lock (_inboundGate)
        {
            _routes = routes;
            var inbound = new Dictionary<uint, InboundStream>();
            foreach (var (ssrc, stream) in routes.Signalled)
            {
                inbound[ssrc] = stream;
                stream.Track.Setup.Layers[stream.Layer].BindSsrc(ssrc, stream.IsRtx);
            }
            if (!newConnection)
                foreach (var (ssrc, stream) in _inbound)
                    if (routes.ByMid.ContainsValue(stream.Track)) inbound.TryAdd(ssrc, stream);
            _inbound = inbound;
        }
    }

    // The connection's packets and timer.

    public void OnConnected(IMediaConnection connection) =>
        Events.Add("connected", connection is MediaPeer { SelectedPath: { } path } ? $"over {path}" : "connected");

    public void OnRtp(IMediaConnection connection, Span<byte> buffer, int length, long nowMillis)
    {
        if (connection != Connection || !RtpPacket.TryParse(buffer[..length], out RtpPacket rtp)) return;
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
        layer.OnPacket(length, nowMillis);
        bool keyframe = track.IsVideo && KeyframeDetector.IsKeyframeStart(track.Setup.CodecOf(rtp.PayloadType), rtp.Payload);
        if (keyframe) layer.OnKeyframe(nowMillis);
        else if (!track.IsVideo && _routes.AudioLevelId > 0 && rtp.TryGetExtension(_routes.AudioLevelId, out ReadOnlySpan<byte> level)
                 && RtpExtensionValues.TryReadAudioLevel(level, out _, out byte dbov) && !track.Muted)
            Room.RecordAudioLevel(Id, dbov, nowMillis);
        if (track.Recorder is { } recorder && !track.Muted) recorder.Offer(stream.Layer, packet, nowMillis);
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
        setup.Layers[layer].BindSsrc(rtp.Ssrc, isRtx);
        stream = new InboundStream(track, layer, isRtx);
        _inbound[rtp.Ssrc] = stream;
        return true;
    }

    public void OnSctp(IMediaConnection connection, byte[] packet, long nowMillis)
    {
        if (Data is { } data && data.Connection == connection) data.OnPacket(packet, nowMillis);
    }

    public void OnRtcp(IMediaConnection connection, Span<byte> buffer, int length, long nowMillis)
    {
        if (connection != Connection) return;
        Span<ushort> lost = stackalloc ushort[MaxRetransmissionsPerDatagram];
        int requests = MaxRetransmissionsPerDatagram, refused = 0;
        Dictionary<uint, DownTrack> downTracks = Volatile.Read(ref _downBySsrc);
        foreach (RtcpPacket packet in new RtcpCompound(buffer[..length]))
        {
            if (ReportPacket.TryRead(packet, out ReportPacket report))
            {
                if (report.IsSenderReport) OnSenderReport(report.Ssrc, report.NtpTimestamp, report.RtpTimestamp, nowMillis);
                for (int i = 0; i < report.BlockCount; i++)
                {
                    ReportBlock block = report.Block(i);
                    if (!downTracks.TryGetValue(block.Ssrc, out DownTrack? reported)) continue;
                    reported.OnReceiverReport(block);
                    MediaQuality.FractionLost(block.FractionLost);
                    if (reported.RoundTripMillis(block, nowMillis) is not { } rtt) continue;
                    connection.Statistics.RoundTripMillis = rtt;
                    MediaQuality.RoundTrip(rtt);
                }
                continue;
            }
            if (!FeedbackPacket.TryRead(packet, out FeedbackPacket feedback)) continue;
            if (TransportFeedback.Is(feedback))
            {
                if (!TransportFeedback.TryRead(feedback, out TransportFeedback transportFeedback) || !Path.OnTransportFeedback(transportFeedback, nowMillis)) refused++;
                continue;
            }
            if (ReceiverEstimatedMaxBitrate.TryRead(feedback, out ulong bitrate, out _))
            {
                Path.OnReceiverEstimate((long)Math.Min(bitrate, long.MaxValue), nowMillis);
                continue;
            }
            if (!downTracks.TryGetValue(feedback.MediaSsrc, out DownTrack? down)) continue;
            if (GenericNack.Is(feedback))
            {
                int asked = GenericNack.Count(feedback);
                int taken = GenericNack.Expand(feedback, lost[..requests]);
                refused += asked - taken + down.Retransmit(lost[..taken], nowMillis);
                requests -= taken;
            }
            else if (PictureLossIndication.Is(feedback) || FullIntraRequest.Is(feedback)) down.OnKeyframeRequest(nowMillis);
        }
        if (refused > 0) Interlocked.Add(ref connection.Statistics.FeedbackRefused, refused);
    }

    private void OnSenderReport(uint ssrc, ulong ntpTimestamp, uint rtpTimestamp, long nowMillis)
    {
        InboundStream stream;
        lock (_inboundGate)
            if (!_inbound.TryGetValue(ssrc, out stream) || stream.IsRtx) return;
        _feedback.OnSenderReport(ssrc, ntpTimestamp, nowMillis);
        stream.Track.Recorder?.OnSenderReport(stream.Layer, ntpTimestamp, rtpTimestamp);
        foreach (DownTrack down in stream.Track.Subscribers) down.OnSenderReport(stream.Layer, ntpTimestamp, rtpTimestamp, nowMillis);
    }

    /// <summary>Asks this participant for a keyframe on one of its streams (RFC 4585 §6.3.1).</summary>
    public void SendPictureLossIndication(uint mediaSsrc)
    {
        if (mediaSsrc == 0 || Connection is not { } connection) return;
        Span<byte> buffer = stackalloc byte[12 + MediaPeer.ProtectionOverhead];
        int written = PictureLossIndication.Write(buffer, LocalSsrc, mediaSsrc);
        if (written > 0) connection.SendRtcp(buffer, written);
    }

    public long OnTimer(IMediaConnection connection, long nowMillis)
    {
        if (connection != Connection) return nowMillis + ReportIntervalMillis;
        if (Data is { } data && data.Connection == connection) data.OnTimer(nowMillis);
        _feedback.SendTransportFeedback(connection, _rtcpBuffer);
        AskAgainForLost(connection, nowMillis);
        if (nowMillis >= _nextReportAt)
        {
            _nextReportAt = nowMillis + ReportIntervalMillis;
            _feedback.SendReceiverReport(connection, _rtcpBuffer, nowMillis);
        }
        foreach (PublishedTrack track in Volatile.Read(ref _publishedSnapshot))
            foreach (TrackLayer layer in track.Setup.Layers)
                if (layer.TakeDueKeyframeRequest(nowMillis))
                {
                    Events.Add("keyframe-request", $"{track.Id}: asked it for a keyframe on layer {layer.Index}");
                    SendPictureLossIndication(layer.Ssrc);
                }
        if (nowMillis >= _nextLayerSelectionAt)
        {
            _nextLayerSelectionAt = nowMillis + LayerIntervalMillis;
            SelectLayers(connection, nowMillis);
        }
        Room.OnTimer(nowMillis);
        return nowMillis + FeedbackIntervalMillis;
    }

    /// <summary>NACKs to this participant for the packets of its streams the SFU has not received.</summary>
    private void AskAgainForLost(IMediaConnection connection, long nowMillis)
    {
        Span<ushort> due = stackalloc ushort[128];
        foreach (PublishedTrack track in Volatile.Read(ref _publishedSnapshot))
        {
            if (!track.IsVideo) continue;
            foreach (TrackLayer layer in track.Setup.Layers)
            {
                int count;
                lock (_inboundGate) count = layer.Missing.CollectDue(nowMillis, (long)connection.Statistics.RoundTripMillis, due);
                if (count == 0 || layer.Ssrc == 0) continue;
                int written = GenericNack.Write(_rtcpBuffer, LocalSsrc, layer.Ssrc, due[..count]);
                if (written > 0) connection.SendRtcp(_rtcpBuffer, written);
            }
        }
    }

    /// <summary>
    /// Each video subscription gets an equal share of what the path to the participant carries. Subscriptions that
    /// would go up but whose share falls short make the path estimate probe.
    /// </summary>
    private void SelectLayers(IMediaConnection connection, long nowMillis)
    {
        DownTrack[] video = Volatile.Read(ref _subscriptionSnapshot).Where(d => d.Track.IsVideo && d.Enabled).ToArray();
        (long estimate, bool congested) = Path.Read(nowMillis);
        long share = estimate == long.MaxValue || video.Length == 0 ? long.MaxValue : estimate / video.Length;
        long shortfall = 0;
        foreach (DownTrack down in video)
        {
            down.SelectLayer(share, congested, nowMillis, out long more);
            shortfall += Math.Max(0, more);
        }
        Path.AfterLayerSelection(shortfall, Interlocked.Read(ref connection.Statistics.BytesSent), nowMillis);
    }

    public void OnClosed(IMediaConnection connection, string reason)
    {
        Events.Add("connection-ended", reason);
        if (connection == Connection) Room.OnConnectionClosed(this, connection, reason);
    }

    /// <summary>Its media now, as the admin dashboard shows it (read from snapshots; no room lock needed).</summary>
    public ParticipantMediaStatistics Statistics(long nowMillis)
    {
        IMediaConnection? connection = Connection;
        MediaPath? path = (connection as MediaPeer)?.SelectedPath;
        double rtt = connection?.Statistics.RoundTripMillis ?? -1;
        ReportQuality? sent = _feedback.LastReport;
        var published = Volatile.Read(ref _publishedSnapshot).Select(t => t.Statistics(nowMillis)).ToList();
        var subscriptions = Volatile.Read(ref _subscriptionSnapshot).Select(d => d.Statistics(nowMillis)).ToList();
        ReportQuality? received = subscriptions.Select(s => s.Received).Where(r => r is not null)
            .Aggregate((ReportQuality?)null, (worst, r) => worst is not { } w ? r : new ReportQuality(Math.Max(w.FractionLost, r!.Value.FractionLost), Math.Max(w.JitterMs, r.Value.JitterMs)));
        (long estimate, bool congested) = Path.Read(nowMillis);
        return new ParticipantMediaStatistics(Id, connection is { IsConnected: true }, path?.Protocol, path?.Remote.ToString(), rtt >= 0 ? Math.Round(rtt, 1) : null,
            sent?.FractionLost, received?.FractionLost, Round(sent?.JitterMs), Round(received?.JitterMs), estimate == long.MaxValue ? null : estimate, congested,
            published.Sum(t => t.Bitrate), subscriptions.Sum(s => s.Statistics.Bitrate), published, subscriptions.Select(s => s.Statistics).ToList(), Events.Read());
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;
}

/// <summary>Where an incoming SSRC goes: a track, a layer, and whether it is the layer's RTX stream.</summary>
internal readonly record struct InboundStream(PublishedTrack Track, int Layer, bool IsRtx);

/// <summary>What an offer says about the participant's incoming packets: signalled SSRCs, tracks by mid, header extension ids.</summary>
internal sealed record InboundRoutes(Dictionary<uint, InboundStream> Signalled, Dictionary<string, PublishedTrack> ByMid,
    int MidId, int RidId, int RepairedRidId, int TransportWideCcId, int AudioLevelId)
{
    public static readonly InboundRoutes None = new([], [], 0, 0, 0, 0, 0);
}
