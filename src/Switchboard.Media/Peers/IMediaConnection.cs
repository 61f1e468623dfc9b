namespace Switchboard.Media.Peers;

/// <summary>
/// A peer connection as the media it carries sees it: where a handler's packets leave (protected and sent by the host
/// that owns the connection, or kept by a test's simulated network) and the connection's state and counters.
/// </summary>
public interface IMediaConnection
{
    string Id { get; }

    /// <summary>Keys are agreed: packets can be sent.</summary>
    bool IsConnected { get; }

    bool IsClosed { get; }

    PeerStatistics Statistics { get; }

    /// <summary>Sends an RTP packet; <paramref name="buffer"/> has <see cref="MediaPeer.ProtectionOverhead"/> spare bytes after it.</summary>
    bool SendRtp(Span<byte> buffer, int length);

    /// <summary>Sends a compound RTCP packet; <paramref name="buffer"/> has <see cref="MediaPeer.ProtectionOverhead"/> spare bytes after it.</summary>
    bool SendRtcp(Span<byte> buffer, int length);

    /// <summary>This side is the DTLS client (it then opens data channels on even stream ids, RFC 8832 §6).</summary>
    bool IsDtlsClient { get; }

    /// <summary>Sends one SCTP packet of the connection's data channels, as DTLS application data (RFC 8261).</summary>
    bool SendSctp(ReadOnlySpan<byte> packet);

    /// <summary>Ends the connection (idempotent); its handler is told once.</summary>
    void Close(string reason);
}
