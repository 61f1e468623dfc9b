namespace Switchboard.Turn.Transports.Dtls;

/// <summary>Limits of a <see cref="DtlsListener"/>; the defaults suit a public server.</summary>
public sealed record DtlsListenerSettings
{
    /// <summary>Handshakes in progress at once; a ClientHello beyond it is dropped (the client retransmits).</summary>
    public int MaxHandshakes { get; init; } = 64;

    /// <summary>Clients (handshaking or established) at once; new ones beyond it are dropped.</summary>
    public int MaxClients { get; init; } = 10_000;

    /// <summary>A handshake not finished within this is abandoned and its slot freed.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Clients (handshaking or established) from one source (an IPv4 address or an IPv6 /64) at once.</summary>
    public int MaxClientsPerSource { get; init; } = 128;

    /// <summary>
    /// An established session is closed once it has been without an allocation this long (since its handshake, or since
    /// its allocation ended), however often the client sends: a trickle of records cannot hold it.
    /// </summary>
    public TimeSpan AllocateWithin { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Datagrams waiting for a handshake in progress; more are dropped.</summary>
    public int MaxQueuedDatagrams { get; init; } = 64;

    /// <summary>Accept DTLS 1.0 (RFC 8996 deprecates it; some older clients, e.g. coturn's uclient, still try it).</summary>
    public bool AllowDtls10 { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHandshakes, 1, nameof(MaxHandshakes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxClients, 1, nameof(MaxClients));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxClientsPerSource, 1, nameof(MaxClientsPerSource));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedDatagrams, 1, nameof(MaxQueuedDatagrams));
        if (HandshakeTimeout <= TimeSpan.Zero || HandshakeTimeout > TimeSpan.FromMinutes(5))
            throw new ArgumentOutOfRangeException(nameof(HandshakeTimeout), HandshakeTimeout, "must be positive and at most 5 minutes");
        if (AllocateWithin <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(AllocateWithin), AllocateWithin, "must be positive");
    }
}
