namespace Switchboard.Protocols.Sctp;

/// <summary>The association states of RFC 9260 §4.</summary>
public enum SctpState
{
    Closed,
    CookieWait,
    CookieEchoed,
    Established,
    ShutdownPending,
    ShutdownSent,
    ShutdownReceived,
    ShutdownAckSent,
}
