using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Switchboard.Dtls;

namespace Switchboard.Turn.Transports.Dtls;

/// <summary>
/// The stateless HelloVerifyRequest cookie exchange (RFC 6347 §4.2.1): a ClientHello without a valid cookie gets a
/// small HelloVerifyRequest and costs no state, so a spoofed source address cannot start a handshake or be flooded
/// with the server's certificate flight. The secret changes every few minutes; cookies of the previous one still pass.
/// </summary>
/// <remarks>Used by the receive loop only: not thread-safe.</remarks>
internal sealed class HelloCookieVerifier(TlsCrypto crypto, TimeSpan secretLifetime)
{
    private DtlsVerifier _current = new(crypto);
    private DtlsVerifier? _previous;
    private long _rotatedAt = Environment.TickCount64;

    private long _verifyRequestsSent;

    /// <summary>Number of HelloVerifyRequests sent (readable from any thread).</summary>
    public long VerifyRequestsSent => Interlocked.Read(ref _verifyRequestsSent);

    /// <summary>
    /// The request to start a handshake with if the ClientHello carries a valid cookie; otherwise null, after sending
    /// a HelloVerifyRequest through <paramref name="reply"/> when the ClientHello was well formed.
    /// </summary>
    public DtlsRequest? Verify(byte[] clientId, byte[] datagram, int length, Action<byte[]> reply)
    {
        long now = Environment.TickCount64;
        if (now - _rotatedAt >= secretLifetime.TotalMilliseconds)
        {
            _previous = _current;
            _current = new DtlsVerifier(crypto);
            _rotatedAt = now;
        }

        var pending = new CapturingSender();
        DtlsRequest? request = _current.VerifyRequest(clientId, datagram, 0, length, pending);
        if (request is null && _previous is not null)
            request = _previous.VerifyRequest(clientId, datagram, 0, length, new CapturingSender());
        if (request is null && pending.Datagram is not null)
        {
            Interlocked.Increment(ref _verifyRequestsSent);
            reply(pending.Datagram);
        }
        return request;
    }

    /// <summary>Holds the HelloVerifyRequest back until it is known that no secret accepts the cookie.</summary>
    private sealed class CapturingSender : DatagramSender
    {
        public byte[]? Datagram { get; private set; }

        public int GetSendLimit() => QueuedDatagramTransport.HandshakeDatagramLimit;

        public void Send(byte[] buf, int off, int len) => Datagram = buf.AsSpan(off, len).ToArray();

        public void Send(ReadOnlySpan<byte> buffer) => Datagram = buffer.ToArray();
    }
}
