namespace Switchboard.Dtls;

/// <summary>Timers and bounds of one DTLS-SRTP handshake.</summary>
public sealed record DtlsSrtpSettings
{
    /// <summary>A handshake not finished by then fails (and the media session with it).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>First retransmission timeout of a handshake flight (RFC 6347 §4.2.4.1 suggests 1 s; it doubles).</summary>
    public TimeSpan InitialRetransmission { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Datagrams held for the handshake thread; more are dropped (the peer retransmits).</summary>
    public int MaxQueuedDatagrams { get; init; } = 64;
}
