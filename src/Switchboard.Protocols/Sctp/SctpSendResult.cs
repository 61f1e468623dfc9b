namespace Switchboard.Protocols.Sctp;

/// <summary>What <see cref="SctpAssociation.Send"/> did with a message.</summary>
public enum SctpSendResult
{
    /// <summary>Queued; it is sent when the windows allow (after the handshake if that is still under way).</summary>
    Queued,

    /// <summary>Larger than the peer's a=max-message-size (<see cref="SctpOptions.RemoteMaxMessageSize"/>).</summary>
    MessageTooLarge,

    /// <summary>Queued and unacknowledged bytes would pass <see cref="SctpOptions.MaxSendQueueBytes"/>.</summary>
    QueueFull,

    /// <summary>Neither <see cref="SctpAssociation.Connect"/> was called nor a peer's INIT arrived.</summary>
    NotEstablished,

    /// <summary>The association has ended or is shutting down.</summary>
    Closed,

    /// <summary>DATA chunks carry at least one byte (RFC 9260 §3.3.1); RFC 8831 sends one zero byte with PPID 56 or 57.</summary>
    EmptyMessage,

    /// <summary>The stream id is not below the number of outbound streams negotiated.</summary>
    InvalidStream,
}
