namespace Switchboard.Protocols.Sctp;

/// <summary>
/// What an association reports. Calls come at the end of the <see cref="SctpAssociation"/> call that caused them
/// (Receive, OnTimer, Send, ...), in the order the events happened, never in the middle of processing a packet;
/// a listener may call back into the association.
/// </summary>
public interface ISctpAssociationListener
{
    void OnEstablished();

    void OnMessage(SctpMessage message);

    /// <summary>
    /// The peer reset these incoming streams of ours, i.e. the peer's outgoing streams (RFC 6525 outgoing SSN reset
    /// request received): data channels closed by the peer.
    /// </summary>
    void OnIncomingStreamsReset(IReadOnlyList<ushort> streamIds);

    /// <summary>Our own ResetStreams request completed (peer answered success) for these streams.</summary>
    void OnOutgoingStreamsReset(IReadOnlyList<ushort> streamIds);

    /// <summary>
    /// Queued (not yet acknowledged or abandoned) bytes dropped to or below SctpOptions.BufferedAmountLowThreshold after
    /// being above it.
    /// </summary>
    void OnBufferedAmountLow();

    /// <summary>
    /// Once, when the association ends: SHUTDOWN complete, ABORT received/sent, too many retransmissions, cookie/INIT
    /// failure. Reason is a human sentence.
    /// </summary>
    void OnClosed(string reason);
}
