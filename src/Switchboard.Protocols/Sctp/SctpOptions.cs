namespace Switchboard.Protocols.Sctp;

/// <summary>The settings of one association. Defaults are RFC 9260 §16's and WebRTC's (RFC 8841, RFC 8831).</summary>
public sealed record SctpOptions
{
    public ushort LocalPort { get; init; } = 5000;
    public ushort RemotePort { get; init; } = 5000;

    /// <summary>SCTP packet size limit (common header and chunks): what one DTLS record carries.</summary>
    public int Mtu { get; init; } = 1200;

    /// <summary>
    /// The largest message accepted (advertised in SDP a=max-message-size). A bigger one is dropped during reassembly,
    /// its fragments acknowledged and discarded (<see cref="SctpCounters.OversizedMessagesDropped"/>); the association stays.
    /// </summary>
    public int MaxReceiveMessageSize { get; init; } = 256 * 1024;

    /// <summary>The peer's a=max-message-size (64 KiB when absent); Send refuses more with MessageTooLarge.</summary>
    public int RemoteMaxMessageSize { get; init; } = 64 * 1024;

    /// <summary>a_rwnd advertised; also the bound on buffered reassembly and out-of-order data.</summary>
    public uint ReceiveWindow { get; init; } = 1024 * 1024;

    /// <summary>Queued plus in-flight bytes; Send returns QueueFull beyond.</summary>
    public int MaxSendQueueBytes { get; init; } = 4 * 1024 * 1024;

    public int BufferedAmountLowThreshold { get; init; } = 256 * 1024;
    public ushort OutboundStreams { get; init; } = 1024;
    public ushort MaxInboundStreams { get; init; } = 1024;

    /// <summary>RTO.Initial, RTO.Min, RTO.Max (RFC 9260 §16).</summary>
    public int RtoInitialMillis { get; init; } = 1000;
    public int RtoMinMillis { get; init; } = 1000;
    public int RtoMaxMillis { get; init; } = 60000;

    /// <summary>
    /// The most a timer's exponential back-off (RFC 9260 §6.3.3 E2, §5.1 T1) may make it, unless RTT measurements
    /// already call for more. The RFC lets the back-off reach RTO.Max; WebRTC's data channel stacks cap it at 3 s, so that
    /// after a burst of loss the association is back within seconds instead of waiting out a doubled-up minute.
    /// </summary>
    public int MaxBackoffMillis { get; init; } = 3000;

    public int MaxInitRetransmits { get; init; } = 8;
    public int AssociationMaxRetransmits { get; init; } = 10;
    public int DelayedAckMillis { get; init; } = 200;
    public int HeartbeatIntervalMillis { get; init; } = 30000;
    public int MaxBurst { get; init; } = 4;

    /// <summary>HMAC-SHA256 key for the state cookie; random when null.</summary>
    public byte[]? CookieSecret { get; init; }

    public int CookieLifetimeMillis { get; init; } = 60000;

    /// <summary>Verification tags, initial TSNs and heartbeat nonces; cryptographic random when null (tests seed it).</summary>
    public Func<uint>? RandomUInt32 { get; init; }
}
