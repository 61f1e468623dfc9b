using Switchboard.Media.Contracts;
using Switchboard.Media.Recording;
using Switchboard.Protocols.Rtp;
using Switchboard.Protocols.Sdp;

namespace Switchboard.Media.Sfu;

/// <summary>
/// A participant's published audio or video track from one source: its layers, its codecs as the publisher negotiated
/// them, and the subscribers' <see cref="DownTrack"/>s it fans out to. The track outlives the publisher's peer
/// connection, so subscribers keep their streams when it reconnects. Everything here is written under the room's lock
/// (offers, mutes, the bit rate check) and read by the forwarding path without it: the subscriber array and the setup
/// are replaced whole, never changed in place.
/// </summary>
internal sealed class PublishedTrack
{
    private DownTrack[] _subscribers = [];
    private TrackSetup _setup = TrackSetup.Empty;
    private volatile bool _muted, _held;
    private TrackRecorder? _recorder;
    private int _generation;

    public PublishedTrack(SfuParticipant owner, TrackSource source)
    {
        Owner = owner;
        Source = source;
        Id = TrackSources.TrackId(owner.Id, source);
    }

    public string Id { get; }
    public SfuParticipant Owner { get; }
    public TrackSource Source { get; }
    public TrackKind Kind => Source.Kind();
    public bool IsVideo => Kind == TrackKind.Video;

    public bool Muted => _muted;

    /// <summary>Held back: its publisher sends far over its bit rate limit.</summary>
    public bool Held => _held;

    /// <summary>Which connection of the publisher the layers' streams belong to: one more each time it is replaced.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>The publisher's section (mid), codecs and layers; replaced on each offer.</summary>
    public TrackSetup Setup => Volatile.Read(ref _setup);

    public DownTrack[] Subscribers => Volatile.Read(ref _subscribers);

    /// <summary>Its recorder while a recording of the room includes it.</summary>
    public TrackRecorder? Recorder => Volatile.Read(ref _recorder);

    public TrackInfo Info => new(Id, Owner.Id, Source, Muted, Setup.Layers.Length, Setup.Codecs.FirstOrDefault()?.Codec.Encoding);

    /// <summary>Its layers as received now.</summary>
    public PublishedTrackStatistics Statistics(long nowMillis)
    {
        var layers = Setup.Layers.Select(l => new LayerStatistics(l.Index, l.Rid, l.Width, l.Height, l.BitsPerSecond(nowMillis))).ToList();
        return new PublishedTrackStatistics(Id, Source.Name(), Muted, layers.Sum(l => l.Bitrate), layers);
    }

    // Writers, all under the room's lock.

    public void Configure(TrackSetup setup) => Volatile.Write(ref _setup, setup);

    public void UseRecorder(TrackRecorder? recorder) => Volatile.Write(ref _recorder, recorder);

    /// <summary>The publisher's connection was replaced: its streams start over with new SSRCs.</summary>
    public void StartGeneration() => Volatile.Write(ref _generation, _generation + 1);

    /// <summary>Mutes or unmutes; false when it already was. Subscribers see no gap for what was not sent.</summary>
    public bool SetMuted(bool muted)
    {
        if (_muted == muted) return false;
        _muted = muted;
        if (muted) PauseSubscribers();
        return true;
    }

    public void SetHeld(bool held)
    {
        _held = held;
        if (held) PauseSubscribers();
    }

    /// <summary>Every subscriber's stream stops until the next keyframe the layer selection asks for.</summary>
    private void PauseSubscribers()
    {
        foreach (DownTrack down in Subscribers) down.Pause();
    }

    public void Attach(DownTrack down) => Volatile.Write(ref _subscribers, [.. _subscribers, down]);
    public void Detach(DownTrack down) => Volatile.Write(ref _subscribers, _subscribers.Where(d => d != down).ToArray());

    /// <summary>Asks the publisher for a keyframe on a layer, at most once per throttle interval.</summary>
    public void RequestKeyframe(int layer, long nowMillis)
    {
        TrackLayer[] layers = Setup.Layers;
        if (!IsVideo || (uint)layer >= (uint)layers.Length) return;
        if (layers[layer].RequestKeyframe(nowMillis)) Owner.SendPictureLossIndication(layers[layer].Ssrc);
    }

    /// <summary>
    /// Forwards one packet of a layer to every subscriber that receives it; <paramref name="packet"/> is not changed.
    /// A large audience is served by several threads at once (<see cref="ParallelFanOut"/>).
    /// </summary>
    public void Forward(int layer, ReadOnlySpan<byte> packet, bool keyframe, long nowMillis)
    {
        if (_muted || _held) return;
        DownTrack[] subscribers = Subscribers;
        if (!ParallelFanOut.Shared.Splits(subscribers.Length) || packet.Length > DownTrack.MaxPacketLength)
        {
            foreach (DownTrack down in subscribers) down.Forward(layer, packet, keyframe, nowMillis);
            return;
        }
        var copies = t_copies ??= new Copies();
        copies.Set(subscribers, layer, packet, keyframe, nowMillis);
        try
        {
            ParallelFanOut.Shared.Run(copies, subscribers.Length);
        }
        finally
        {
            copies.Clear();
        }
    }

    /// <summary>One packet for a range of subscribers; each forwarding thread keeps one, used while it waits for the ranges.</summary>
    [ThreadStatic] private static Copies? t_copies;

    private sealed class Copies : IRangeWork
    {
        private readonly byte[] _packet = new byte[DownTrack.MaxPacketLength];
        private DownTrack[] _subscribers = [];
        private int _length, _layer;
        private bool _keyframe;
        private long _nowMillis;

        public void Set(DownTrack[] subscribers, int layer, ReadOnlySpan<byte> packet, bool keyframe, long nowMillis)
        {
            _subscribers = subscribers;
            packet.CopyTo(_packet);
            (_length, _layer, _keyframe, _nowMillis) = (packet.Length, layer, keyframe, nowMillis);
        }

        public void Clear() => _subscribers = [];

        public void Run(int start, int end)
        {
            for (int i = start; i < end; i++) _subscribers[i].Forward(_layer, _packet.AsSpan(0, _length), _keyframe, _nowMillis);
        }
    }
}

/// <summary>How a track arrives: its section, codecs (with RTX), header extensions, and layers low to high.</summary>
internal sealed record TrackSetup(string Mid, IReadOnlyList<NegotiatedCodec> Codecs, IReadOnlyList<Extmap> Extensions, TrackLayer[] Layers, int ClockRate)
{
    public static readonly TrackSetup Empty = new("", [], [], [], 90000);

    /// <summary>The codec family of each payload type, read once here rather than by name per packet.</summary>
    private readonly VideoCodec[] _codecByPayloadType = CodecTable(Codecs);

    /// <summary>The codec family of a payload type, for keyframe detection.</summary>
    public VideoCodec CodecOf(byte payloadType) => _codecByPayloadType[payloadType & 0x7F];

    private static VideoCodec[] CodecTable(IReadOnlyList<NegotiatedCodec> codecs)
    {
        var table = new VideoCodec[128];
        foreach (var codec in codecs) table[codec.Codec.PayloadType & 0x7F] = VideoCodecs.FromEncoding(codec.Codec.Encoding);
        return table;
    }

    /// <summary>The primary payload type an RTX payload type repairs, or -1.</summary>
    public int PrimaryOf(byte rtxPayloadType)
    {
        foreach (var codec in Codecs)
            if (codec.RtxPayloadType == rtxPayloadType) return codec.Codec.PayloadType;
        return -1;
    }

    public int LayerOf(string rid)
    {
        for (int i = 0; i < Layers.Length; i++)
            if (Layers[i].Rid == rid) return i;
        return -1;
    }
}
