namespace Switchboard.Signaling.Ice;

/// <summary>The "Signaling:Ice" section: which STUN/TURN servers participants are told to use.</summary>
public sealed class IceOptions
{
    /// <summary>
    /// Host name or address put in Switchboard's own stun:/turn: URLs. Empty: the host the client used to
    /// reach the HTTP server (right for one machine; set it when TURN runs elsewhere or behind NAT).
    /// </summary>
    public string Host { get; set; } = "";

    /// <summary>
    /// Switchboard's own STUN/TURN URLs, overriding the ones made from the TURN server's ports, e.g.
    /// <c>turn:turn.example.org:3478</c> when TURN runs as a separate process. "{host}" is replaced by <see cref="Host"/>.
    /// </summary>
    public string[] TurnUrls { get; set; } = [];

    /// <summary>TURN REST API secret for the credentials; empty: the TURN server's own first secret.</summary>
    public string TurnSecret { get; set; } = "";

    /// <summary>
    /// How long minted TURN credentials can make new allocations (docs/security.md): 2 hours covers a meeting's ICE
    /// restarts, while a credential copied out of a page works no longer; an allocation made in time lives on as long
    /// as its client refreshes it.
    /// </summary>
    public int CredentialLifetimeSeconds { get; set; } = 2 * 3600;

    /// <summary>More ICE servers passed on as they are (e.g. a public STUN server).</summary>
    public IceServer[] ExtraServers { get; set; } = [];
}
