namespace Switchboard.Protocols.Sctp;

/// <summary>
/// Per message: unordered delivery; partial reliability (RFC 3758): at most <paramref name="MaxRetransmits"/>
/// retransmissions (0: sent once, never again), or abandoned after <paramref name="LifetimeMillis"/>. Both null = reliable.
/// Partial reliability needs the peer to support FORWARD-TSN; without it messages already sent stay reliable.
/// </summary>
public readonly record struct SctpSendOptions(bool Unordered = false, int? MaxRetransmits = null, int? LifetimeMillis = null);
