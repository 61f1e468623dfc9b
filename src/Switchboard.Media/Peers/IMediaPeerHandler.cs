namespace Switchboard.Media.Peers;

/// <summary>
/// What a connection's media goes to (the echo, the SFU). Calls come from the host, one at a time per connection for
/// its packets; the timer may run beside them. They must not block. <c>buffer</c> holds the decrypted packet in its
/// first <c>length</c> bytes and has room to protect it again in place, so a handler can rewrite and send it without
/// copying. <c>nowMillis</c> is the host's clock (its <see cref="TimeProvider"/>), in milliseconds.
/// </summary>
public interface IMediaPeerHandler
{
    void OnConnected(IMediaConnection connection);
    void OnRtp(IMediaConnection connection, Span<byte> buffer, int length, long nowMillis);
    void OnRtcp(IMediaConnection connection, Span<byte> buffer, int length, long nowMillis);

    /// <summary>An SCTP packet of the connection's data channels (the plaintext of one DTLS record, the handler's to keep).</summary>
    void OnSctp(IMediaConnection connection, byte[] packet, long nowMillis);

    /// <summary>The host's timer: periodic RTCP and the like. Returns when it next wants to run (milliseconds).</summary>
    long OnTimer(IMediaConnection connection, long nowMillis);

    void OnClosed(IMediaConnection connection, string reason);
}
