using Switchboard.Media.Peers;
using Switchboard.Protocols.Sdp;

namespace Switchboard.Media.Transport;

/// <summary>
/// What the SFU needs of a transport: connections made from offers, renegotiated, and the answer's transport lines.
/// <see cref="MediaTransportHost"/> is the real one (ICE-lite, DTLS-SRTP on shared sockets); tests run rooms over a
/// simulated one.
/// </summary>
public interface IMediaTransport
{
    /// <summary>The clock every connection's <c>nowMillis</c> comes from.</summary>
    TimeProvider Time { get; }

    /// <summary>A new connection for an offer, its packets to <paramref name="handler"/>; null when the transport is full.</summary>
    NewConnection? Connect(WebRtcOffer offer, IMediaPeerHandler handler);

    /// <summary>
    /// Whether <paramref name="offer"/> renegotiates <paramref name="connection"/> (the same certificate, still open) and
    /// its answer's transport lines if so, with an ICE restart (RFC 8445 §9) when the offer's credentials changed.
    /// </summary>
    bool TryRenegotiate(IMediaConnection connection, WebRtcOffer offer, out AnswerTransport transport);
}

/// <summary>A connection just made, and the transport lines of its answer.</summary>
public readonly record struct NewConnection(IMediaConnection Connection, AnswerTransport Transport);
