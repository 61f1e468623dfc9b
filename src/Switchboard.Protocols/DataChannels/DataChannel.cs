namespace Switchboard.Protocols.DataChannels;

/// <summary>One data channel of an association: its SCTP stream, label, subprotocol and delivery (RFC 8831 §6.4).</summary>
public sealed class DataChannel(ushort id, string label, string protocol, DataChannelReliability reliability, bool negotiated)
{
    /// <summary>The SCTP stream identifier, the same both ways.</summary>
    public ushort Id { get; } = id;

    public string Label { get; } = label;

    public string Protocol { get; } = protocol;

    public DataChannelReliability Reliability { get; } = reliability;

    /// <summary>Agreed out of band (no DATA_CHANNEL_OPEN on the wire).</summary>
    public bool Negotiated { get; } = negotiated;

    /// <summary>Open for messages: negotiated, opened by the peer, or this side's OPEN was acknowledged.</summary>
    public bool IsOpen { get; internal set; }

    /// <summary>Closing or closed: a stream reset was asked for or received.</summary>
    public bool IsClosing { get; internal set; }

    public override string ToString() => $"data channel {Id} '{Label}'";
}
