namespace Switchboard.Protocols.Sctp;

/// <summary>What one association has sent, received, retransmitted and dropped, for diagnostics and tests.</summary>
public sealed class SctpCounters
{
    public long PacketsSent { get; internal set; }
    public long PacketsReceived { get; internal set; }

    /// <summary>Packets dropped whole: bad checksum, wrong verification tag, malformed, or not expected in the state.</summary>
    public long PacketsDropped { get; internal set; }

    /// <summary>Chunks that could not be parsed or were refused (a packet's later chunks after a malformed one are not counted).</summary>
    public long ChunksDropped { get; internal set; }

    public long DataChunksSent { get; internal set; }
    public long DataChunksReceived { get; internal set; }

    /// <summary>DATA chunks not kept: beyond the receive window or the TSN range tracked, or on an invalid stream.</summary>
    public long DataChunksDropped { get; internal set; }

    public long DuplicateTsnsReceived { get; internal set; }
    public long SacksSent { get; internal set; }
    public long SacksReceived { get; internal set; }

    /// <summary>DATA chunks sent again, for any reason (fast retransmit and T3-rtx included).</summary>
    public long Retransmissions { get; internal set; }

    /// <summary>Fast retransmit events (RFC 9260 §7.2.4): each one a loss detected by three miss indications.</summary>
    public long FastRetransmits { get; internal set; }

    public long T3Expirations { get; internal set; }
    public long MessagesSent { get; internal set; }
    public long MessagesReceived { get; internal set; }

    /// <summary>Our messages given up under partial reliability (RFC 3758): too many retransmissions or lifetime over.</summary>
    public long MessagesAbandoned { get; internal set; }

    /// <summary>Received messages larger than <see cref="SctpOptions.MaxReceiveMessageSize"/>, discarded.</summary>
    public long OversizedMessagesDropped { get; internal set; }

    public long ForwardTsnsSent { get; internal set; }
    public long ForwardTsnsReceived { get; internal set; }
    public long HeartbeatsSent { get; internal set; }
    public long HeartbeatAcksReceived { get; internal set; }
    public long StreamResetsRequested { get; internal set; }
}
