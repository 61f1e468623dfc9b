using Microsoft.Extensions.Logging;
using Switchboard.Media.Contracts;
using Switchboard.Media.Peers;
using Switchboard.Media.Sfu.Selection;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;

namespace Switchboard.Media.Sfu;

/// <summary>
/// One published track as one subscriber receives it: a stream with the SSRC the subscriber's answer announced, whose
/// sequence numbers and timestamps run on without a jump across layer switches, mutes and publisher reconnects
/// (<see cref="RtpStreamRewriter"/>), and so do VP8 and VP9 picture IDs (<see cref="PictureIdRewriter"/>). Switches
/// to another simulcast layer at its next keyframe; answers the subscriber's NACKs from the track's retransmission
/// buffers (as RTX when negotiated) and passes its keyframe requests on.
/// Its state is written under its own lock by whoever touches the stream: the forwarding threads, the subscriber's
/// RTCP (NACK, PLI) and the subscriber's timer (layer selection); the room's lock only adds and removes it.
/// </summary>
internal sealed class DownTrack
{
    public const int MaxPacketLength = 1500;

    /// <summary>After congestion made a subscriber go down, it waits this long before a higher layer may be chosen.</summary>
    public const int StepUpIntervalMillis = 3000;

    /// <summary>While the wanted layer has not started, a keyframe is asked for again this often.</summary>
    public const int KeyframeRetryMillis = 500;

    private readonly Lock _gate = new();
    private readonly RtpStreamRewriter _rewriter;
    private readonly PictureIdRewriter _pictureIds = new();
    private readonly SubscriberFormat _format;
    private readonly ResendHistory _resent = new();
    private int _rtxSequence = Random.Shared.Next(ushort.MaxValue);

    private Forwarding _state = Forwarding.AwaitingKeyframe;
    private StreamSource _current;
    private int _target;
    private int? _wanted;
    private long? _keyframeAskedAt, _stepUpAfter;
    private TrackSettings _rendering = new(0, 0, Enabled: true);
    private uint _packetsSent, _octetsSent;
    private SentReport? _lastReport;
    private ReportQuality? _received;

    /// <summary>Mirrors of the layers forwarded and wanted (-1: none), for the lock-free early exit of <see cref="Forward"/>.</summary>
    private volatile int _forwardedLayer = -1, _targetLayer;

    /// <summary>When the stream was subscribed, until its first video keyframe went out (then null: measured once).</summary>
    private long? _awaitingFirstFrameSince;

    public DownTrack(SfuParticipant subscriber, PublishedTrack track, string mid, SubscriberFormat format, long subscribedAtMillis)
    {
        if (track.IsVideo) _awaitingFirstFrameSince = subscribedAtMillis;
        Subscriber = subscriber;
        Track = track;
        Mid = mid;
        _format = format;
        _rewriter = new RtpStreamRewriter((uint)track.Setup.ClockRate);
    }

    public SfuParticipant Subscriber { get; }
    public PublishedTrack Track { get; }
    public string Mid { get; }
    public uint Ssrc { get; } = SfuParticipant.RandomSsrc();
    public uint RtxSsrc { get; } = SfuParticipant.RandomSsrc();
    public bool HasRtx => _format.RtxPayloadType >= 0;

    public bool Enabled
    {
        get { lock (_gate) return _rendering.Enabled; }
    }

    /// <summary>What the stream does with the layer it forwards.</summary>
    private enum Forwarding
    {
        /// <summary>Nothing yet, or paused: the target layer starts at its next keyframe (audio at once).</summary>
        AwaitingKeyframe,

        /// <summary>The current layer's packets go out.</summary>
        Running,

        /// <summary>The current layer overloads the path and is stopped while the lower target's keyframe comes.</summary>
        Held,
    }

    /// <summary>The layers forwarded now, chosen, and that the rendered size calls for, for the room's layer demand.</summary>
    public LayerChoice Layers
    {
        get
        {
            lock (_gate) return new LayerChoice(_state == Forwarding.AwaitingKeyframe ? null : _current.Layer, _target, _wanted);
        }
    }

    public void Forward(int layer, ReadOnlySpan<byte> packet, bool keyframe, long nowMillis)
    {
        if (packet.Length > MaxPacketLength || !RtpPacket.TryParse(packet, out RtpPacket rtp)) return;
        byte payloadType = _format.PayloadTypeFor(rtp.PayloadType);
        if (payloadType == SubscriberFormat.NoPayloadType) return;
        // Packets of a layer neither forwarded nor wanted leave before the buffer is set up (checked again under the lock).
        if (layer != _forwardedLayer && layer != _targetLayer) return;
        var source = new StreamSource(Track.Generation, layer);
        ushort sequence;
        uint timestamp;
        long? firstFrameMillis = null;
        Span<byte> buffer = stackalloc byte[MaxPacketLength + MediaPeer.ProtectionOverhead];
        lock (_gate)
        {
            if (!_rendering.Enabled || Subscriber.Connection is not { IsConnected: true }) return;
            if (_state == Forwarding.AwaitingKeyframe || source != _current)
            {
                // A video stream starts, or moves to another layer, only where a decoder can: at a keyframe.
                if (layer != _target || Track.IsVideo && !keyframe) return;
                SetCurrent(source);
                _keyframeAskedAt = null;
                if (_awaitingFirstFrameSince is { } since)
                {
                    firstFrameMillis = nowMillis - since;
                    _awaitingFirstFrameSince = null;
                }
            }
            else if (_state == Forwarding.Held) return;
            if (!_rewriter.TryRewrite(source.Key, rtp.SequenceNumber, rtp.Timestamp, nowMillis, out sequence, out timestamp)) return;
            _packetsSent++;
            _octetsSent += (uint)rtp.Payload.Length;
            packet.CopyTo(buffer);
            if (Track.IsVideo) _pictureIds.Rewrite(source.Key, Track.Setup.CodecOf(rtp.PayloadType), buffer.Slice(rtp.HeaderLength, rtp.Payload.Length));
        }
        // Measured once per stream, outside its lock.
        if (firstFrameMillis is { } firstFrame) MediaQuality.FirstFrame(firstFrame);
        Send(buffer, packet.Length, payloadType, sequence, timestamp, nowMillis);
        Subscriber.Retransmissions.Earn(packet.Length);
        // A probe of the subscriber's path: the packet again, as retransmissions the receiver drops as duplicates.
        if (Track.IsVideo && Subscriber.Path.ProbeCopies is > 0 and int copies)
            for (int i = 0; i < copies; i++) Resend(sequence, nowMillis);
    }

    private void SetCurrent(StreamSource source)
    {
        (_current, _state) = (source, Forwarding.Running);
        _forwardedLayer = source.Layer;
    }

    private void Stop()
    {
        _state = Forwarding.AwaitingKeyframe;
        _forwardedLayer = -1;
    }

    private void Send(Span<byte> buffer, int length, byte payloadType, ushort sequence, uint timestamp, long nowMillis)
    {
        SubscriberPacket.Rewrite(buffer[..length], Ssrc, payloadType, sequence, timestamp, _format.ExtensionMap, _format.AbsSendTimeId, nowMillis);
        Subscriber.Path.SendSide.TryStamp(buffer[..length], _format.TransportWideCcId, nowMillis * 1000);
        Subscriber.Connection?.SendRtp(buffer, length);
    }

    /// <summary>
    /// The subscriber lost these (its sequence numbers): sent again from the layer's buffer (RFC 4585 §6.2.1, RFC 4588),
    /// each at most once per round trip and four times in all, while the subscriber's retransmission budget lasts.
    /// Returns how many requests were refused.
    /// </summary>
    public int Retransmit(ReadOnlySpan<ushort> lost, long nowMillis)
    {
        double rtt = Subscriber.Connection?.Statistics.RoundTripMillis ?? -1;
        long interval = rtt < 0 ? UnknownRoundTripMillis : Math.Max((long)rtt, MinResendIntervalMillis);
        int refused = 0;
        foreach (ushort sequence in lost)
        {
            bool allowed;
            lock (_gate) allowed = _resent.TryResend(sequence, nowMillis, interval);
            if (!allowed || !Resend(sequence, nowMillis, Subscriber.Retransmissions)) refused++;
        }
        return refused;
    }

    /// <summary>The wait between two resends of one packet while the subscriber's round trip is unknown, and the least.</summary>
    private const long UnknownRoundTripMillis = 100, MinResendIntervalMillis = 10;

    /// <summary>
    /// Sends one packet of this stream again, as RTX when negotiated, paid from <paramref name="budget"/> when given
    /// (NACKs; a probe is not). False when it is no longer held, or the budget does not cover it.
    /// </summary>
    private bool Resend(ushort sequence, long nowMillis, RetransmissionBudget? budget = null)
    {
        Span<byte> buffer = stackalloc byte[MaxPacketLength + MediaPeer.ProtectionOverhead];
        Span<byte> rtx = stackalloc byte[MaxPacketLength + 2 + MediaPeer.ProtectionOverhead];
        TrackLayer[] layers = Track.Setup.Layers;
        int key;
        ushort original;
        uint timestamp;
        lock (_gate)
            if (!_rewriter.TryLookup(sequence, out key, out original, out timestamp)) return false;
        StreamSource source = StreamSource.FromKey(key);
        if (source.Generation != Track.Generation || source.Layer >= layers.Length) return false;
        if (!layers[source.Layer].Retransmission.TryGet(original, nowMillis, buffer[..MaxPacketLength], out int length)) return false;
        if (!RtpPacket.TryParse(buffer[..length], out RtpPacket rtp)) return false;
        byte payloadType = _format.PayloadTypeFor(rtp.PayloadType);
        if (payloadType == SubscriberFormat.NoPayloadType || budget?.TrySpend(length) == false) return false;
        if (Track.IsVideo)
            lock (_gate) _pictureIds.RewriteRetransmission(key, Track.Setup.CodecOf(rtp.PayloadType), buffer.Slice(rtp.HeaderLength, rtp.Payload.Length));
        if (!HasRtx)
        {
            Send(buffer, length, payloadType, sequence, timestamp, nowMillis);
            return true;
        }
        Span<byte> packet = buffer[..length];
        SubscriberPacket.Rewrite(packet, Ssrc, payloadType, sequence, timestamp, _format.ExtensionMap, _format.AbsSendTimeId, nowMillis);
        Subscriber.Path.SendSide.TryStamp(packet, _format.TransportWideCcId, nowMillis * 1000);
        int rtxLength = RtxPacket.Wrap(packet, rtx[..(MaxPacketLength + 2)], (byte)_format.RtxPayloadType, RtxSsrc, (ushort)Interlocked.Increment(ref _rtxSequence));
        if (rtxLength > 0) Subscriber.Connection?.SendRtp(rtx, rtxLength);
        return true;
    }

    /// <summary>The publisher's sender report on a layer, told to the subscriber in its own numbers (for lip sync, RFC 3550 §6.4.1).</summary>
    public void OnSenderReport(int layer, ulong ntpTimestamp, uint rtpTimestamp, long nowMillis)
    {
        uint timestamp;
        uint packets, octets;
        lock (_gate)
        {
            var source = new StreamSource(Track.Generation, layer);
            if (_state == Forwarding.AwaitingKeyframe || source != _current || !_rewriter.TryMapTimestamp(source.Key, rtpTimestamp, out timestamp)) return;
            (packets, octets) = (_packetsSent, _octetsSent);
        }
        Span<byte> buffer = stackalloc byte[64 + MediaPeer.ProtectionOverhead];
        int written = new SenderReport(Ssrc, ntpTimestamp, timestamp, packets, octets, []).Write(buffer);
        if (written <= 0 || Subscriber.Connection?.SendRtcp(buffer, written) != true) return;
        lock (_gate) _lastReport = new SentReport((uint)(ntpTimestamp >> 16), nowMillis);
    }

    /// <summary>
    /// The round trip to the subscriber from its report block on this stream (RFC 3550 §6.4.1): now, less when the
    /// sender report it names (LSR) went out, less the delay it says it held it (DLSR); null if the report names another.
    /// </summary>
    public double? RoundTripMillis(in ReportBlock block, long nowMillis)
    {
        lock (_gate)
        {
            if (block.LastSenderReport == 0 || _lastReport is not { } last || block.LastSenderReport != last.Key) return null;
            double rtt = nowMillis - last.SentAtMillis - block.DelaySinceLastSenderReport * 1000.0 / 65536;
            return rtt >= 0 ? rtt : null;
        }
    }

    /// <summary>The subscriber's report block on this stream: the loss and jitter it saw.</summary>
    public void OnReceiverReport(in ReportBlock block)
    {
        ReportQuality? quality = ReportQuality.Worst([block], _ => Track.Setup.ClockRate);
        lock (_gate) _received = quality;
    }

    /// <summary>What the subscriber gets of the track now, and why that layer (<see cref="LayerReasons"/>).</summary>
    public (SubscriptionStatistics Statistics, ReportQuality? Received) Statistics(long nowMillis)
    {
        TrackLayer[] layers = Track.Setup.Layers;
        bool enabled;
        int? forwarded, wanted;
        int target;
        ReportQuality? received;
        lock (_gate)
        {
            (enabled, target, wanted, received) = (_rendering.Enabled, _target, _wanted, _received);
            forwarded = _state == Forwarding.Running ? _current.Layer : null;
        }
        // Layers nobody wants are paused at the publisher: the size calls for a layer whether it runs or not; bandwidth
        // is the reason only for a wanted layer that runs.
        int running = -1;
        for (int i = 0; i < layers.Length; i++)
            if (layers[i].Describe(nowMillis).Active) running = i;
        int bySize = wanted ?? layers.Length - 1;
        string reason = !enabled ? LayerReasons.Paused
            : Track.Muted ? LayerReasons.Muted
            : forwarded != target ? LayerReasons.AwaitingKeyframe
            : target < Math.Min(bySize, running) ? LayerReasons.Bandwidth
            : bySize < layers.Length - 1 ? LayerReasons.RenderedSize
            : LayerReasons.Best;
        long bitrate = enabled && forwarded is int layer && layer < layers.Length ? layers[layer].BitsPerSecond(nowMillis) : 0;
        return (new SubscriptionStatistics(Track.Id, Track.Owner.Id, Track.Source.Name(), forwarded, target, layers.Length, bitrate, reason), received);
    }

    /// <summary>
    /// Picks the layer to receive (timer); a change asks the publisher for a keyframe on the new layer. Under congestion
    /// (the subscriber's estimate fell), the best layer that fits its share of the estimate, at once. Otherwise the
    /// layer the rendered size calls for, except that after congestion it goes back up one layer at a time, once the
    /// share covers the next layer's bit rate; until then <paramref name="shortfall"/> says by how much it does not, and
    /// the subscriber probes its path (<see cref="Protocols.Bwe.PathEstimate"/>).
    /// </summary>
    public void SelectLayer(long availableBitsPerSecond, bool congested, long nowMillis, out long shortfall)
    {
        shortfall = 0;
        TrackLayer[] layers = Track.Setup.Layers;
        if (layers.Length == 0) return;
        Span<SimulcastLayer> live = stackalloc SimulcastLayer[layers.Length];
        Span<SimulcastLayer> announced = stackalloc SimulcastLayer[layers.Length];
        for (int i = 0; i < layers.Length; i++)
        {
            live[i] = layers[i].Describe(nowMillis);
            announced[i] = live[i] with { Active = true };
        }
        bool requestKeyframe = false;
        int target;
        lock (_gate)
        {
            if (!_rendering.Enabled) return;
            (int width, int height) = (_rendering.Width, _rendering.Height);
            int wanted = SimulcastLayerSelector.Select(announced, long.MaxValue, width, height, -1);
            _wanted = wanted >= 0 ? wanted : null;
            int current = _state == Forwarding.AwaitingKeyframe ? -1 : _current.Layer;
            int selected = SimulcastLayerSelector.Select(live, congested ? availableBitsPerSecond : long.MaxValue, width, height, current);
            if (congested && current >= 0 && selected < current)
            {
                // The layer forwarded now overloads the path: it stops at once, so that the lower layer's keyframe
                // does not queue behind it.
                _stepUpAfter = nowMillis + StepUpIntervalMillis;
                _state = Forwarding.Held;
                _rewriter.Pause();
            }
            else if (current >= 0 && selected > current && _stepUpAfter is { } stepUpAfter)
            {
                // Since congestion: one layer up at a time, when the estimate (probed if need be) covers it.
                int next = current + 1;
                while (next < selected && !live[next].Active) next++;
                long cost = SimulcastLayerSelector.StepUpBitrate(live[next]);
                if (nowMillis >= stepUpAfter && SimulcastLayerSelector.FitsUp(cost, availableBitsPerSecond))
                {
                    _stepUpAfter = next == selected ? null : nowMillis + StepUpIntervalMillis / 3;
                    selected = next;
                }
                else
                {
                    if (nowMillis >= stepUpAfter) shortfall = SimulcastLayerSelector.NeededToStepUp(cost) - availableBitsPerSecond;
                    selected = _target;
                }
            }
            if (selected >= 0 && selected != _target)
            {
                Subscriber.Events.Add("layer-switch", $"{Track.Id}: layer {_target} to {selected}{(congested ? " (congestion)" : "")}");
                Subscriber.Room.Logger.LogDebug("SFU room {Room}: {Subscriber} goes from layer {From} to {To} of {Track} (share {Share} bit/s, layer {Bitrate} bit/s, congested {Congested})",
                    Subscriber.Room.Name, Subscriber.Id, _target, selected, Track.Id, availableBitsPerSecond, live[selected].Bitrate, congested);
                _target = _targetLayer = selected;
            }
            target = _target;
            // Back to the held layer: it starts again at its next keyframe.
            if (_state == Forwarding.Held && target == _current.Layer) Stop();
            // Not receiving the wanted layer yet: ask for a keyframe now, and again each retry interval while it does not come.
            bool receivingTarget = _state == Forwarding.Running && _current.Layer == _target;
            if (!receivingTarget && (_keyframeAskedAt is not { } askedAt || nowMillis - askedAt >= KeyframeRetryMillis))
            {
                _keyframeAskedAt = nowMillis;
                requestKeyframe = true;
            }
        }
        if (requestKeyframe) Track.RequestKeyframe(target, nowMillis);
    }

    /// <summary>The subscriber lost a picture (PLI/FIR): the publisher is asked for a keyframe on the layer forwarded.</summary>
    public void OnKeyframeRequest(long nowMillis)
    {
        Subscriber.Events.Add("picture-loss", $"{Track.Id}: asked for a keyframe");
        Track.RequestKeyframe(Math.Max(_forwardedLayer, 0), nowMillis);
    }

    /// <summary>Stops forwarding until resumed: the next packet continues the numbering without a gap, video from a keyframe.</summary>
    public void Pause()
    {
        lock (_gate)
        {
            _rewriter.Pause();
            Stop();
            _keyframeAskedAt = null;
        }
    }

    /// <summary>The size the subscriber renders the track at, and whether it wants it at all (off pauses the stream).</summary>
    public void SetRendering(TrackSettings settings)
    {
        lock (_gate)
        {
            if (_rendering.Enabled && !settings.Enabled)
            {
                _rewriter.Pause();
                Stop();
                _keyframeAskedAt = null;
            }
            _rendering = settings;
        }
    }

    private readonly record struct SentReport(uint Key, long SentAtMillis);
}

/// <summary>A subscriber stream's layers: forwarded now, chosen (it switches at the chosen one's keyframe), and wanted by size.</summary>
internal readonly record struct LayerChoice(int? Forwarded, int Target, int? Wanted);

/// <summary>How a subscriber's section receives a track: payload types by the publisher's, its RTX, header extension ids.</summary>
internal sealed class SubscriberFormat(byte[] payloadTypes, int rtxPayloadType, byte[] extensionMap, int absSendTimeId, int transportWideCcId)
{
    public const byte NoPayloadType = 0xFF;

    /// <summary>The subscriber's payload type for the publisher's, or <see cref="NoPayloadType"/>.</summary>
    public byte PayloadTypeFor(byte publisherPayloadType) => payloadTypes[publisherPayloadType & 0x7F];
    public int RtxPayloadType { get; } = rtxPayloadType;
    public byte[] ExtensionMap { get; } = extensionMap;
    public int AbsSendTimeId { get; } = absSendTimeId;
    public int TransportWideCcId { get; } = transportWideCcId;
}
