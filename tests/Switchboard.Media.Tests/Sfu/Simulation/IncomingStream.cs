using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;

namespace Switchboard.Media.Tests.Sfu.Simulation;

/// <summary>
/// One stream a simulated participant receives, read as a browser's jitter buffer and decoder would: packets in
/// sequence order; a VP8 frame decodes when all its packets are there and the decoder has its reference (a keyframe,
/// and no frame lost since). A gap still open after <see cref="GiveUpMillis"/> (NACKs did not repair it) is skipped,
/// (a gap is known from when the packet after it arrived) and the decoder then needs a keyframe; audio waits only <see cref="AudioGiveUpMillis"/>, as a player conceals a lost
/// packet. Counts what a user would notice: frames decoded, freezes, and what must never happen in one stream:
/// timestamps going back, or a delta frame whose picture id does not follow the one before (a decoder would take its
/// reference as lost; a keyframe may jump).
/// </summary>
internal sealed class IncomingStream(string trackId, bool isVideo, uint ssrc, uint rtxSsrc, long createdAtMillis)
{
    public const int GiveUpMillis = 500, AudioGiveUpMillis = 60;

    private readonly SortedDictionary<long, Received> _buffer = [];
    private long _next = -1, _highest = -1, _lastDecodedAt = -1;
    private bool _decoding, _inFrame, _frameWhole, _frameKeyframe, _chainIntact;
    private int _frameLayer = -1, _framePictureId = -1, _lastPictureId = -1;
    private uint _frameTimestamp, _lastTimestamp;
    private bool _hasTimestamp;

    public string TrackId { get; } = trackId;
    public bool IsVideo { get; } = isVideo;
    public uint Ssrc { get; } = ssrc;
    public uint RtxSsrc { get; } = rtxSsrc;
    public long CreatedAtMillis { get; } = createdAtMillis;
    public ReceptionStatistics Reception { get; } = new(ssrc, isVideo ? 90000 : 48000);
    public NackGenerator Nacks { get; } = new();

    public long Packets { get; private set; }
    public long Duplicates { get; private set; }
    public long RtxPackets { get; private set; }

    /// <summary>When each RTX packet arrived (retransmissions and probes).</summary>
    public List<long> RtxArrivals { get; } = [];
    public long FramesDecoded { get; private set; }
    public long KeyframesDecoded { get; private set; }
    public long GapsSkipped { get; private set; }
    public long TimestampRegressions { get; private set; }
    public long PictureIdJumps { get; private set; }
    public long FirstFrameAt { get; private set; } = -1;
    public long LastFrameAt => _lastDecodedAt;
    public long LongestFreezeMillis { get; private set; }

    /// <summary>When each decoded frame came from another layer than the one before (the first frame included).</summary>
    public List<(long AtMillis, int Layer)> LayerChanges { get; } = [];
    public int? Layer => LayerChanges.Count > 0 ? LayerChanges[^1].Layer : null;

    /// <summary>It has received something and cannot decode until a keyframe comes.</summary>
    public bool NeedsKeyframe => IsVideo && _next >= 0 && !_decoding;

    public void OnPacket(in RtpPacket rtp, bool viaRtx, long nowMillis)
    {
        long sequence = Extend(rtp.SequenceNumber);
        if (viaRtx)
        {
            RtxPackets++;
            RtxArrivals.Add(nowMillis);
        }
        if (_next >= 0 && sequence < _next || _buffer.ContainsKey(sequence))
        {
            Duplicates++;
            return;
        }
        Packets++;
        Reception.OnPacket(rtp.SequenceNumber, rtp.Timestamp, nowMillis);
        if (IsVideo) Nacks.OnPacket(rtp.SequenceNumber, nowMillis);
        if (_next < 0) _next = sequence;
        _buffer[sequence] = Read(rtp, nowMillis);
        Drain(nowMillis);
    }

    /// <summary>Time passes: a gap open too long is given up.</summary>
    public void OnTick(long nowMillis) => Drain(nowMillis);

    private long Extend(ushort sequence)
    {
        if (_highest < 0) return _highest = sequence + 65536L;
        long candidate = (_highest & ~0xFFFFL) | sequence;
        if (candidate - _highest > 32768) candidate -= 65536;
        else if (_highest - candidate > 32768) candidate += 65536;
        if (candidate > _highest) _highest = candidate;
        return candidate;
    }

    private void Drain(long nowMillis)
    {
        while (_buffer.Count > 0)
        {
            if (_buffer.Remove(_next, out Received packet))
            {
                _next++;
                Process(packet, nowMillis);
                continue;
            }
            var (after, first) = _buffer.First();
            if (nowMillis - first.ArrivedAt < (IsVideo ? GiveUpMillis : AudioGiveUpMillis)) return;
            // Lost for good: the decoder goes on from what came after, and needs a keyframe.
            GapsSkipped++;
            _next = after;
            _inFrame = false;
            _chainIntact = false;
            if (IsVideo) _decoding = false;
        }
    }

    private void Process(in Received packet, long nowMillis)
    {
        if (!IsVideo)
        {
            Decoded(packet.Timestamp, -1, 0, keyframe: false, nowMillis);
            return;
        }
        if (packet.FrameStart)
        {
            (_inFrame, _frameWhole, _frameKeyframe) = (true, true, packet.Keyframe);
            (_frameTimestamp, _framePictureId, _frameLayer) = (packet.Timestamp, packet.PictureId, packet.Layer);
        }
        else if (!_inFrame) return;
        else if (packet.Timestamp != _frameTimestamp) _frameWhole = false;
        if (!packet.Marker) return;
        _inFrame = false;
        if (!_frameWhole) return;
        if (_frameKeyframe) _decoding = true;
        if (_decoding) Decoded(_frameTimestamp, _framePictureId, _frameLayer, _frameKeyframe, nowMillis);
    }

    private void Decoded(uint timestamp, int pictureId, int layer, bool keyframe, long nowMillis)
    {
        FramesDecoded++;
        if (keyframe) KeyframesDecoded++;
        if (FirstFrameAt < 0) FirstFrameAt = nowMillis;
        if (_lastDecodedAt >= 0) LongestFreezeMillis = Math.Max(LongestFreezeMillis, nowMillis - _lastDecodedAt);
        _lastDecodedAt = nowMillis;
        if (_hasTimestamp && (int)(timestamp - _lastTimestamp) < 0) TimestampRegressions++;
        if (IsVideo && !keyframe && _chainIntact && pictureId != ((_lastPictureId + 1) & 0x7FFF)) PictureIdJumps++;
        (_lastTimestamp, _hasTimestamp, _lastPictureId, _chainIntact) = (timestamp, true, pictureId, true);
        if (IsVideo && (LayerChanges.Count == 0 || LayerChanges[^1].Layer != layer)) LayerChanges.Add((nowMillis, layer));
    }

    private static Received Read(in RtpPacket rtp, long nowMillis)
    {
        ReadOnlySpan<byte> payload = rtp.Payload;
        if (payload.Length < 5) return new Received(rtp.Timestamp, rtp.Marker, false, false, -1, -1, nowMillis);
        bool start = (payload[0] & 0x10) != 0;
        int pictureId = (payload[2] & 0x7F) << 8 | payload[3];
        bool keyframe = start && KeyframeDetector.IsKeyframeStart(VideoCodec.Vp8, payload);
        int layerOffset = 4 + (start ? keyframe ? 10 : 3 : 0);
        int layer = payload.Length > layerOffset ? payload[layerOffset] : -1;
        return new Received(rtp.Timestamp, rtp.Marker, start, keyframe, pictureId, layer, nowMillis);
    }

    private readonly record struct Received(uint Timestamp, bool Marker, bool FrameStart, bool Keyframe, int PictureId, int Layer, long ArrivedAt);
}
