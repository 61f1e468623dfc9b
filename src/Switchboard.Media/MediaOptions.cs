namespace Switchboard.Media;

/// <summary>The "Media" configuration section.</summary>
public sealed class MediaOptions
{
    public const string SectionName = "Media";

    /// <summary>UDP port every peer's ICE, DTLS and SRTP share (0 picks one).</summary>
    public int UdpPort { get; set; } = 7882;

    /// <summary>TCP port for passive ICE-TCP (RFC 6544), for networks that block UDP; -1 turns it off.</summary>
    public int TcpPort { get; set; } = 7881;

    /// <summary>Whether to offer the UDP candidate; off leaves only ICE-TCP (for networks, or tests, without UDP).</summary>
    public bool UdpEnabled { get; set; } = true;

    /// <summary>Address the sockets bind to; "::" (all addresses, IPv4 and IPv6) by default.</summary>
    public string ListenAddress { get; set; } = "::";

    /// <summary>
    /// Addresses put in candidates. Empty: the machine's own unicast addresses (loopback only when it has no other);
    /// set the public address here for a server behind NAT.
    /// </summary>
    public List<string> AnnouncedAddresses { get; set; } = [];

    /// <summary>A peer that sends no ICE check for this long loses consent and is dropped (RFC 7675 §5.1: 30 s).</summary>
    public TimeSpan ConsentTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>DTLS handshake limit per peer.</summary>
    public TimeSpan DtlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Peers held at once; more are refused (503).</summary>
    public int MaxPeers { get; set; } = 2000;

    public EchoOptions Echo { get; set; } = new();

    public SfuOptions Sfu { get; set; } = new();

    public Recording.RecordingOptions Recording { get; set; } = new();
}

/// <summary>The SFU's limits ("Media:Sfu"); a participant at a limit gets a signaling error naming it.</summary>
public sealed class SfuOptions
{
    /// <summary>Participants that send media in one room.</summary>
    public int MaxPublishersPerRoom { get; set; } = 25;

    /// <summary>Tracks one participant receives.</summary>
    public int MaxSubscriptionsPerParticipant { get; set; } = 100;

    /// <summary>What one participant may send, bits per second (the answer asks browsers to stay below it).</summary>
    public long MaxBitratePerParticipant { get; set; } = 6_000_000;

    /// <summary>Largest data channel message a participant may send (the answer's a=max-message-size; RFC 8841 asks for at least 64 KiB).</summary>
    public int DataMaxMessageSize { get; set; } = 256 * 1024;

    /// <summary>
    /// Data waiting to be sent or acknowledged to one participant; beyond it reliable messages to it are dropped and it is
    /// warned. 16 MiB is what browsers let a page queue on a data channel: a sender's burst that fits its own buffer fits here.
    /// </summary>
    public int DataQueueBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>A participant whose data queue stays full this long is cut off from data (its association is aborted).</summary>
    public TimeSpan DataStallTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>The echo diagnostic (`POST /api/echo`).</summary>
public sealed class EchoOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Echo sessions at once.</summary>
    public int MaxSessions { get; set; } = 20;

    /// <summary>An echo session ends after this long: it is a test, not a call.</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(5);
}
