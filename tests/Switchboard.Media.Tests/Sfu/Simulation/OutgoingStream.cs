using Switchboard.Media.Tests.Support;

namespace Switchboard.Media.Tests.Sfu.Simulation;

/// <summary>
/// One RTP stream a simulated participant sends: its microphone, or one layer of its camera. Keeps what it sent for
/// retransmission (as a browser's RTP sender does), and counts what the SFU asked of it.
/// </summary>
internal sealed class OutgoingStream(int layer, LayerSpec? video, uint ssrc, uint rtxSsrc, ushort firstSequence)
{
    private readonly Dictionary<ushort, byte[]> _sent = [];
    private readonly Queue<ushort> _sentOrder = new();

    public int Layer { get; } = layer;

    /// <summary>The camera layer, or null for the microphone.</summary>
    public LayerSpec? Video { get; } = video;
    public uint Ssrc { get; } = ssrc;
    public uint RtxSsrc { get; } = rtxSsrc;
    public ushort NextSequence { get; set; } = firstSequence;
    public ushort NextRtxSequence { get; set; }
    public int NextFrame { get; set; }
    public int PictureId { get; set; }
    public uint Packets { get; set; }
    public uint Octets { get; set; }

    /// <summary>Paused because the SFU said nobody receives this layer (the SDK's reaction to <c>layers</c>).</summary>
    public bool Paused { get; set; }

    /// <summary>The next frame is a keyframe: the first one, and after a PLI or FIR.</summary>
    public bool KeyframeWanted { get; set; } = true;

    public List<long> KeyframeRequestsAt { get; } = [];
    public long NacksReceived { get; set; }
    public long Retransmitted { get; set; }
    public long KeyframesSent { get; set; }

    public void Remember(ushort sequence, byte[] packet)
    {
        if (_sent.TryAdd(sequence, packet)) _sentOrder.Enqueue(sequence);
        while (_sentOrder.Count > 2048) _sent.Remove(_sentOrder.Dequeue());
    }

    public byte[]? Sent(ushort sequence) => _sent.GetValueOrDefault(sequence);
}
