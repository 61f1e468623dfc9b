using Switchboard.Protocols.Bwe;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;

namespace Switchboard.Media.Sfu;

/// <summary>
/// One RTP stream a publisher sends for a track: the only one, or one simulcast layer (RFC 8853, named by its rid).
/// Holds what the SFU keeps per incoming stream: recent packets for retransmission, the bit rate, the keyframe request
/// throttle toward the publisher, and the sequence numbers to ask again.
/// </summary>
internal sealed class TrackLayer(int index, string? rid, int width, int height)
{
    public int Index { get; } = index;
    public string? Rid { get; } = rid;

    /// <summary>Size the publisher announced (0 when unknown).</summary>
    public int Width { get; } = width;
    public int Height { get; } = height;

    /// <summary>The SSRC the layer arrives with (0 until known); changes when the publisher's connection is replaced.</summary>
    public uint Ssrc;
    public uint RtxSsrc;

    public RetransmissionBuffer Retransmission { get; } = new();
    public BitrateMeter Bitrate { get; } = new();
    private readonly KeyframeRequestThrottle _keyframeRequests = new();

    /// <summary>True when a PLI should go to the publisher now (subscribers' requests merged, one per 500 ms). Thread-safe.</summary>
    public bool RequestKeyframe(long nowMillis)
    {
        lock (_keyframeRequests) return _keyframeRequests.Request(nowMillis);
    }

    public void OnKeyframe(long nowMillis)
    {
        lock (_keyframeRequests) _keyframeRequests.OnKeyframe(nowMillis);
    }

    /// <summary>Timer: true when a merged request is due.</summary>
    public bool TakeDueKeyframeRequest(long nowMillis)
    {
        lock (_keyframeRequests) return _keyframeRequests.TakeDue(nowMillis);
    }

    /// <summary>What the SFU lost from the publisher; serialized by the publisher's receive path and timer (under its lock).</summary>
    public NackGenerator Missing { get; } = new();

    /// <summary>Packets arrived within the last second.</summary>
    public bool IsActive(long nowMillis) => Bitrate.LastPacketAt > 0 && nowMillis - Bitrate.LastPacketAt < 1000;

    public SimulcastLayer Describe(long nowMillis) => new(IsActive(nowMillis), Bitrate.BitsPerSecond(nowMillis), Width, Height);
}
