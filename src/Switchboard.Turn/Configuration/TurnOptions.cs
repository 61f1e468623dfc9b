namespace Switchboard.Turn.Configuration;

/// <summary>
/// Settings of the TURN/STUN server, bound from the "Turn" configuration section
/// (appsettings.json, Switchboard__Turn__* environment variables, --Turn:Key=value arguments).
/// </summary>
public sealed class TurnOptions
{
    public const string Section = "Turn";

    /// <summary>Run the TURN server at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>REALM of the long-term credential mechanism (RFC 8489 §9.2).</summary>
    public string Realm { get; set; } = "switchboard";

    /// <summary>Long-term credentials, each "name:password".</summary>
    public string[] Users { get; set; } = [];

    /// <summary>TURN REST API shared secrets; several at once so that a secret can be rotated.</summary>
    public string[] StaticAuthSecrets { get; set; } = [];

    /// <summary>Run without any authentication (an open relay). Refused unless set explicitly.</summary>
    public bool NoAuth { get; set; }

    /// <summary>Addresses the listeners bind to; empty binds all IPv4 and IPv6 addresses.</summary>
    /// <remarks>Empty by default because the configuration binder appends to a default array instead of replacing it.</remarks>
    public string[] ListenAddresses { get; set; } = [];

    /// <summary>ListenAddresses, or 0.0.0.0 and :: when none are configured.</summary>
    public IReadOnlyList<string> EffectiveListenAddresses => ListenAddresses.Length > 0 ? ListenAddresses : ["0.0.0.0", "::"];

    /// <summary>UDP and TCP port of the plain listeners.</summary>
    public int Port { get; set; } = 3478;

    /// <summary>TLS (TCP) and DTLS (UDP) port.</summary>
    public int TlsPort { get; set; } = 5349;

    public bool EnableUdp { get; set; } = true;
    public bool EnableTcp { get; set; } = true;
    public bool EnableTls { get; set; } = true;
    public bool EnableDtls { get; set; } = true;

    /// <summary>Allow REQUESTED-TRANSPORT TCP (RFC 6062 TCP allocations).</summary>
    public bool AllowTcpRelay { get; set; } = true;

    /// <summary>Local IPv4 or IPv6 address relay sockets bind to; empty picks one of this host's addresses.</summary>
    public string? RelayAddress { get; set; }

    /// <summary>Local IPv6 address for IPv6 relays when RelayAddress is IPv4; empty picks one.</summary>
    public string? RelayAddressV6 { get; set; }

    /// <summary>Public address announced in XOR-RELAYED-ADDRESS when the server sits behind 1:1 NAT.</summary>
    public string? ExternalAddress { get; set; }

    /// <summary>Lowest relay port.</summary>
    public int MinPort { get; set; } = 49152;

    /// <summary>Highest relay port.</summary>
    public int MaxPort { get; set; } = 65535;

    /// <summary>Let the relay reach loopback peers (tests only).</summary>
    public bool AllowLoopbackPeers { get; set; }

    /// <summary>CIDR ranges (or single addresses) the relay may reach even if the default policy denies them.</summary>
    public string[] AllowedPeers { get; set; } = [];

    /// <summary>CIDR ranges (or single addresses) the relay never reaches, in addition to the default ones.</summary>
    public string[] DeniedPeers { get; set; } = [];

    /// <summary>
    /// Allocations per user at once; 0 is unlimited. 12 (the user-quota of the usual coturn production setups) lets a
    /// browser open its UDP, TCP and TLS relays for a few peer connections while one user cannot take the port range.
    /// </summary>
    public int UserQuota { get; set; } = 12;

    /// <summary>Allocations in total at once; 0 (the default) is one per relay port of MinPort-MaxPort.</summary>
    public int TotalQuota { get; set; }

    /// <summary>TotalQuota, or the number of relay ports when it is 0.</summary>
    public int EffectiveTotalQuota => TotalQuota > 0 ? TotalQuota : Math.Max(0, MaxPort - MinPort + 1);

    /// <summary>Bit-rate cap per allocation, each direction; 0 is unlimited.</summary>
    public long MaxBitsPerSecond { get; set; }

    /// <summary>Permissions one allocation may hold.</summary>
    public int MaxPermissionsPerAllocation { get; set; } = 256;

    /// <summary>Channel bindings one allocation may hold.</summary>
    public int MaxChannelsPerAllocation { get; set; } = 256;

    /// <summary>Peer data connections (connecting, waiting for ConnectionBind, or relaying) one TCP allocation may hold (RFC 6062).</summary>
    public int MaxTcpConnectionsPerAllocation { get; set; } = 64;

    /// <summary>
    /// TCP and TLS connections one source may hold at once, across both listeners (an IPv4 address, or an IPv6 /64).
    /// 128 leaves room for an RFC 6062 client's control connection and 64 data connections, or for dozens of browsers
    /// behind one NAT, while one machine cannot hold the connections everyone else needs.
    /// </summary>
    public int MaxConnectionsPerSource { get; set; } = 128;

    /// <summary>Bytes queued for a TCP or TLS client that it has not read yet; a client that lets more pile up is dropped.</summary>
    public int SendQueueBytes { get; set; } = 256 * 1024;

    /// <summary>Seconds a TCP or TLS client has to complete a message once its first bytes arrived, however slowly the rest trickles in.</summary>
    public int MessageTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Seconds a TCP or TLS connection may go without an allocation (from its accept or TLS handshake, or from the end of its
    /// allocation) before it is closed, whatever it sends meanwhile; RFC 6062 data connections count once bound.
    /// </summary>
    public int AllocateWithinSeconds { get; set; } = 10;

    /// <summary>Requests per second one source IP may send before it has authenticated (token bucket rate).</summary>
    public int UnauthenticatedRequestsPerSecond { get; set; } = 200;

    /// <summary>Token bucket depth for unauthenticated requests per source IP.</summary>
    public int UnauthenticatedRequestBurst { get; set; } = 1000;

    /// <summary>Longest allocation lifetime a client may ask for, seconds (RFC 8656 §3.2: default 600).</summary>
    public int MaxLifetimeSeconds { get; set; } = 3600;

    /// <summary>How long a nonce stays fresh before 438 Stale Nonce, seconds.</summary>
    public int NonceLifetimeSeconds { get; set; } = 600;

    /// <summary>PEM certificate for TLS and DTLS; empty uses a self-signed one made at first start.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key for CertificatePath.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>SOFTWARE attribute value; empty sends none.</summary>
    public string Software { get; set; } = "Switchboard";

    /// <summary>
    /// Run socket completions on the runtime's socket event threads instead of handing each one to the
    /// thread pool (the runtime's DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS, for the whole process).
    /// About halves the CPU per relayed packet (docs/benchmarks.md); every handler then runs on the socket threads,
    /// delaying the other sockets of its thread while it runs, so it is off unless set.
    /// </summary>
    public bool InlineSocketCompletions { get; set; }

    /// <summary>On shutdown, how long existing allocations may keep running while no new ones are accepted.</summary>
    public int DrainTimeoutSeconds { get; set; } = 30;
}
