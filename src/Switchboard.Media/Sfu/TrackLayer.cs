using Switchboard.Media.Sfu.Selection;
using Switchboard.Protocols.Bwe;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;

namespace Switchboard.Media.Sfu;

/// <summary>
/// One RTP stream a publisher sends for a track: the only one, or one simulcast layer (RFC 8853, named by its rid).
/// Holds what the SFU keeps per incoming stream: recent packets for retransmission, the bit rate, the keyframe request
/// throttle toward the publisher, and the sequence numbers to ask again. Its SSRCs are bound by the publisher's
/// inbound path alone (<see cref="SfuParticipant"/>, under its inbound lock) and read by anyone.
/// </summary>
internal sealed class TrackLayer(int index, string? rid, int width, int height)
{
    private readonly Lock _bitrateGate = new();
    private readonly BitrateMeter _bitrate = new();
    private readonly KeyframeRequestThrottle _keyframeRequests = new();
    private uint _ssrc, _rtxSsrc;

    public int Index { get; } = index;
    public string? Rid { get; } = rid;

    /// <summary>Size the publisher announced (0 when unknown).</summary>
    public int Width { get; } = width;
    public int Height { get; } = height;

    /// <summary>The SSRC the layer arrives with (0 until known); changes when the publisher's connection is replaced.</summary>
    public uint Ssrc => Volatile.Read(ref _ssrc);
    public uint RtxSsrc => Volatile.Read(ref _rtxSsrc);

    public void BindSsrc(uint ssrc, bool isRtx)
    {
        if (isRtx) Volatile.Write(ref _rtxSsrc, ssrc);
        else Volatile.Write(ref _ssrc, ssrc);
    }

    public RetransmissionBuffer Retransmission { get; } = new();

    /// <summary>What the SFU lost from the publisher; used by the publisher's inbound path and timer under its inbound lock.</summary>
    public NackGenerator Missing { get; } = new();

    /// <summary>A packet of <paramref name="bytes"/> arrived (for the layer's bit rate).</summary>
    public void OnPacket(int bytes, long nowMillis)
    {
        lock (_bitrateGate) _bitrate.Add(bytes, nowMillis);
    }

    public long BitsPerSecond(long nowMillis)
    {
        lock (_bitrateGate) return _bitrate.BitsPerSecond(nowMillis);
    }

    /// <summary>True when a PLI should go to the publisher now (subscribers' requests merged, one per 500 ms).</summary>
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

    /// <summary>Whether packets arrive (within the last second), the bit rate, and the announced size.</summary>
    public SimulcastLayer Describe(long nowMillis)
    {
        lock (_bitrateGate)
        {
            bool active = _bitrate.LastPacketAt > 0 && nowMillis - _bitrate.LastPacketAt < 1000;
            return new SimulcastLayer(active, _bitrate.BitsPerSecond(nowMillis), Width, Height);
        }
    }
}
