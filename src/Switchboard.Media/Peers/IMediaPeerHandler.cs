namespace Switchboard.Media.Peers;

/// <summary>
/// What a peer's media goes to (the echo, later the SFU). Calls come from the receive loops, one at a time per peer;
/// they must not block. <c>buffer</c> holds the decrypted packet in its first <c>length</c> bytes and has room to
/// protect it again in place, so a handler can rewrite and send it without copying.
/// </summary>
public interface IMediaPeerHandler
{
    void OnConnected(MediaPeer peer);
    void OnRtp(MediaPeer peer, Span<byte> buffer, int length, long nowMillis);
    void OnRtcp(MediaPeer peer, Span<byte> buffer, int length, long nowMillis);

    /// <summary>The host's timer: periodic RTCP and the like. Returns when it next wants to run (milliseconds).</summary>
    long OnTimer(MediaPeer peer, long nowMillis);

    void OnClosed(MediaPeer peer, string reason);
}
