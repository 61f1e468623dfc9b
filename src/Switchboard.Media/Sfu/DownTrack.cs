using Switchboard.Protocols.Bwe;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;
using Microsoft.Extensions.Logging;
using Switchboard.Media.Peers;

namespace Switchboard.Media.Sfu;

/// <summary>
/// One published track as one subscriber receives it: a stream with the SSRC the subscriber's answer announced, whose
/// sequence numbers and timestamps run on without a jump across layer switches, mutes and publisher reconnects
/// (<see cref="RtpStreamRewriter"/>), and so do VP8 and VP9 picture IDs (<see cref="PictureIdRewriter"/>). Switches
/// to another simulcast layer at its next keyframe; answers the subscriber's NACKs from the track's retransmission
/// buffers (as RTX when negotiated) and passes its keyframe requests on.
/// </summary>
internal sealed class DownTrack
{
    public const int MaxPacketLength = 1500;

    private readonly Lock _gate = new();
    private readonly RtpStreamRewriter _rewriter;
    private readonly PictureIdRewriter _pictureIds = new();
    private readonly SubscriberFormat _format;
    private int _currentSource = -1, _target, _rtxSequence = Random.Shared.Next(ushort.MaxValue);
    private uint _packetsSent, _octetsSent;
    private long _waitingSince = -1, _stepUpAfter;

    /// <summary>The current layer is held back while the switch to a lower one waits for its keyframe (congestion).</summary>
    private bool _holdCurrent;
    private uint _lastReportKey;
    private long _lastReportSentAt;

    public DownTrack(SfuParticipant subscriber, PublishedTrack track, string mid, SubscriberFormat format)
    {
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

    /// <summary>The size the subscriber renders the track at (0: unknown) and whether it wants it at all.</summary>
    public int RenderedWidth, RenderedHeight;
    public bool Enabled { get; private set; } = true;

    /// <summary>The layer forwarded now (-1: none yet), and the one wanted.</summary>
    public int CurrentLayer => _currentSource < 0 ? -1 : _currentSource % SourcesPerGeneration;
    public int TargetLayer => _target;

    /// <summary>The layer the rendered size calls for if every layer were sent (-1: none), from the last selection.</summary>
    public int WantedLayer { get; private set; } = -1;

    private const int SourcesPerGeneration = 4;

    private int SourceOf(int layer) => Track.Generation * SourcesPerGeneration + layer;

    public void Forward(int layer, ReadOnlySpan<byte> packet, bool keyframe, long nowMillis)
    {
        if (packet.Length > MaxPacketLength || !RtpPacket.TryParse(packet, out RtpPacket rtp)) return;
        byte payloadType = _format.PayloadTypeFor(rtp.PayloadType);
        if (payloadType == SubscriberFormat.NoPayloadType) return;
        int source = SourceOf(layer);
        ushort sequence;
        uint timestamp;
        // Packets of a layer neither forwarded nor wanted leave before the buffer is set up (checked again under the lock).
        if (source != Volatile.Read(ref _currentSource) && layer != Volatile.Read(ref _target)) return;
        Span<byte> buffer = stackalloc byte[MaxPacketLength + MediaPeer.ProtectionOverhead];
        lock (_gate)
        {
            if (!Enabled || Subscriber.Peer is not { IsConnected: true }) return;
            if (source != _currentSource)
            {
                // A video stream starts, or moves to another layer, only where a decoder can: at a keyframe.
                if (layer != _target || Track.IsVideo && !keyframe) return;
                _currentSource = source;
                _waitingSince = -1;
                _holdCurrent = false;
            }
            else if (_holdCurrent) return;
            if (!_rewriter.TryRewrite(source, rtp.SequenceNumber, rtp.Timestamp, nowMillis, out sequence, out timestamp)) return;
            _packetsSent++;
            _octetsSent += (uint)rtp.Payload.Length;
            packet.CopyTo(buffer);
            if (Track.IsVideo) _pictureIds.Rewrite(source, Track.Setup.CodecOf(rtp.PayloadType), buffer.Slice(rtp.HeaderLength, rtp.Payload.Length));
        }
        Send(buffer, packet.Length, payloadType, sequence, timestamp, nowMillis);
        if (Track.IsVideo && Subscriber.ProbeCopies is > 0 and int copies)
        {
            // A probe of the subscriber's path: the packet again, as retransmissions the receiver drops as duplicates.
            Span<ushort> again = stackalloc ushort[copies];
            again.Fill(sequence);
            Retransmit(again, nowMillis);
        }
    }

    private void Send(Span<byte> buffer, int length, byte payloadType, ushort sequence, uint timestamp, long nowMillis)
    {
        SubscriberPacket.Rewrite(buffer[..length], Ssrc, payloadType, sequence, timestamp, _format.ExtensionMap, _format.AbsSendTimeId, nowMillis);
        Subscriber.Bandwidth.TryStamp(buffer[..length], _format.TransportWideCcId, nowMillis * 1000);
        Subscriber.Peer?.SendRtp(buffer, length);
    }

    /// <summary>The subscriber lost these (its sequence numbers): sent again from the layer's buffer (RFC 4585 §6.2.1, RFC 4588).</summary>
    public void Retransmit(ReadOnlySpan<ushort> lost, long nowMillis)
    {
        Span<byte> buffer = stackalloc byte[MaxPacketLength + MediaPeer.ProtectionOverhead];
        Span<byte> rtx = stackalloc byte[MaxPacketLength + 2 + MediaPeer.ProtectionOverhead];
        TrackLayer[] layers = Track.Setup.Layers;
        foreach (ushort sequence in lost)
        {
            int source;
            ushort original;
            uint timestamp;
            lock (_gate)
                if (!_rewriter.TryLookup(sequence, out source, out original, out timestamp)) continue;
            int layer = source % SourcesPerGeneration;
            if (source / SourcesPerGeneration != Track.Generation || layer >= layers.Length) continue;
            if (!layers[layer].Retransmission.TryGet(original, nowMillis, buffer[..MaxPacketLength], out int length)) continue;
            if (!RtpPacket.TryParse(buffer[..length], out RtpPacket rtp)) continue;
            byte payloadType = _format.PayloadTypeFor(rtp.PayloadType);
            if (payloadType == SubscriberFormat.NoPayloadType) continue;
            if (Track.IsVideo)
                lock (_gate) _pictureIds.RewriteRetransmission(source, Track.Setup.CodecOf(rtp.PayloadType), buffer.Slice(rtp.HeaderLength, rtp.Payload.Length));
            if (!HasRtx)
            {
                Send(buffer, length, payloadType, sequence, timestamp, nowMillis);
                continue;
            }
            Span<byte> packet = buffer[..length];
            SubscriberPacket.Rewrite(packet, Ssrc, payloadType, sequence, timestamp, _format.ExtensionMap, _format.AbsSendTimeId, nowMillis);
            Subscriber.Bandwidth.TryStamp(packet, _format.TransportWideCcId, nowMillis * 1000);
            int rtxLength = RtxPacket.Wrap(packet, rtx[..(MaxPacketLength + 2)], (byte)_format.RtxPayloadType, RtxSsrc, (ushort)Interlocked.Increment(ref _rtxSequence));
            if (rtxLength > 0) Subscriber.Peer?.SendRtp(rtx, rtxLength);
        }
    }

    /// <summary>The publisher's sender report on a layer, told to the subscriber in its own numbers (for lip sync, RFC 3550 §6.4.1).</summary>
    public void OnSenderReport(int layer, ulong ntpTimestamp, uint rtpTimestamp, long nowMillis)
    {
        uint timestamp;
        uint packets, octets;
        lock (_gate)
        {
            int source = SourceOf(layer);
            if (source != _currentSource || !_rewriter.TryMapTimestamp(source, rtpTimestamp, out timestamp)) return;
            (packets, octets) = (_packetsSent, _octetsSent);
        }
        Span<byte> buffer = stackalloc byte[64 + MediaPeer.ProtectionOverhead];
        int written = new SenderReport(Ssrc, ntpTimestamp, timestamp, packets, octets, []).Write(buffer);
        if (written <= 0 || Subscriber.Peer?.SendRtcp(buffer, written) != true) return;
        lock (_gate) (_lastReportKey, _lastReportSentAt) = ((uint)(ntpTimestamp >> 16), nowMillis);
    }

    /// <summary>
    /// The round trip to the subscriber from its report block on this stream (RFC 3550 §6.4.1): now, less when the
    /// sender report it names (LSR) went out, less the delay it says it held it (DLSR); null if the report names another.
    /// </summary>
    public double? RoundTripMillis(in ReportBlock block, long nowMillis)
    {
        lock (_gate)
        {
            if (block.LastSenderReport == 0 || block.LastSenderReport != _lastReportKey) return null;
            double rtt = nowMillis - _lastReportSentAt - block.DelaySinceLastSenderReport * 1000.0 / 65536;
            return rtt >= 0 ? rtt : null;
        }
    }

    /// <summary>After congestion made a subscriber go down, it waits this long before a higher layer may be chosen.</summary>
    private const int StepUpIntervalMillis = 3000;

    /// <summary>
    /// Picks the layer to receive (timer); a change asks the publisher for a keyframe on the new layer. Under congestion
    /// (the subscriber's estimate fell), the best layer that fits its share of the estimate, at once. Otherwise the
    /// layer the rendered size calls for, except that after congestion it goes back up one layer at a time, once the
    /// share covers the next layer's bit rate; until then <paramref name="shortfall"/> says by how much it does not, and
    /// the subscriber probes its path (<see cref="SfuParticipant.ProbeCopies"/>). Returns the layer it would want if all
    /// were sent (which layers the publisher may pause).
    /// </summary>
    public int SelectLayer(long availableBitsPerSecond, bool congested, long nowMillis, out long shortfall)
    {
        shortfall = 0;
        TrackLayer[] layers = Track.Setup.Layers;
        if (layers.Length == 0 || !Enabled) return -1;
        Span<SimulcastLayer> live = stackalloc SimulcastLayer[layers.Length];
        Span<SimulcastLayer> announced = stackalloc SimulcastLayer[layers.Length];
        for (int i = 0; i < layers.Length; i++)
        {
            live[i] = layers[i].Describe(nowMillis);
            announced[i] = live[i] with { Active = true };
        }
        int wanted = WantedLayer = SimulcastLayerSelector.Select(announced, long.MaxValue, RenderedWidth, RenderedHeight, -1);
        bool requestKeyframe = false;
        int target;
        lock (_gate)
        {
            int current = CurrentLayer;
            int selected = SimulcastLayerSelector.Select(live, congested ? availableBitsPerSecond : long.MaxValue, RenderedWidth, RenderedHeight, current);
            if (congested && current >= 0 && selected < current)
            {
                // The layer forwarded now overloads the path: it stops at once, so that the lower layer's keyframe
                // does not queue behind it.
                _stepUpAfter = nowMillis + StepUpIntervalMillis;
                _holdCurrent = true;
                _rewriter.Pause();
            }
            else if (current >= 0 && selected > current && _stepUpAfter > 0)
            {
                // Since congestion: one layer up at a time, when the estimate (probed if need be) covers it.
                int next = current + 1;
                while (next < selected && !live[next].Active) next++;
                long cost = SimulcastLayerSelector.StepUpBitrate(live[next]);
                if (nowMillis >= _stepUpAfter && SimulcastLayerSelector.FitsUp(cost, availableBitsPerSecond))
                {
                    _stepUpAfter = next == selected ? 0 : nowMillis + StepUpIntervalMillis / 3;
                    selected = next;
                }
                else
                {
                    if (nowMillis >= _stepUpAfter) shortfall = SimulcastLayerSelector.NeededToStepUp(cost) - availableBitsPerSecond;
                    selected = _target;
                }
            }
            if (selected >= 0 && selected != _target)
            {
                Subscriber.Room.Service.Logger.LogDebug("SFU room {Room}: {Subscriber} goes from layer {From} to {To} of {Track} (share {Share} bit/s, layer {Bitrate} bit/s, congested {Congested})",
                    Subscriber.Room.Name, Subscriber.Id, _target, selected, Track.Id, availableBitsPerSecond, live[selected].Bitrate, congested);
                _target = selected;
            }
            target = _target;
            if (_holdCurrent && target == CurrentLayer)
            {
                // Back to the held layer: it starts again at its next keyframe.
                _currentSource = -1;
                _holdCurrent = false;
            }
            // Not receiving the wanted layer yet: ask for a keyframe now, and again each throttle interval while it does not come.
            if (CurrentLayer != _target && (_waitingSince < 0 || nowMillis - _waitingSince >= 500))
            {
                _waitingSince = nowMillis;
                requestKeyframe = true;
            }
        }
        if (requestKeyframe) Track.RequestKeyframe(target, nowMillis);
        return wanted;
    }

    /// <summary>The subscriber lost a picture (PLI/FIR): the publisher is asked for a keyframe on the layer forwarded.</summary>
    public void OnKeyframeRequest(long nowMillis) => Track.RequestKeyframe(Math.Max(CurrentLayer, 0), nowMillis);

    /// <summary>Stops forwarding until resumed: the next packet continues the numbering without a gap, video from a keyframe.</summary>
    public void Pause()
    {
        lock (_gate)
        {
            _rewriter.Pause();
            _currentSource = -1;
            _waitingSince = -1;
            _holdCurrent = false;
        }
    }

    public void SetEnabled(bool enabled)
    {
        if (enabled == Enabled) return;
        if (!enabled) Pause();
        Enabled = enabled;
    }
}

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
