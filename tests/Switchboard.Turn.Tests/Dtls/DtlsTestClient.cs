using System.Net;
using System.Security.Cryptography;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Turn.Tests.Dtls;

/// <summary>A BouncyCastle DTLS client over UDP on loopback.</summary>
internal sealed class DtlsTestClient : IDisposable
{
    private readonly DtlsTransport _dtls;

    private DtlsTestClient(DtlsTransport dtls, UdpClientTransport transport, Peer peer)
    {
        _dtls = dtls;
        Transport = transport;
        ServerFingerprint = peer.ServerFingerprint!;
        CipherSuite = peer.CipherSuite;
        Version = peer.Version!;
    }

    public UdpClientTransport Transport { get; }
    public IPEndPoint LocalEndPoint => (IPEndPoint)Transport.Socket.LocalEndPoint!;
    public string ServerFingerprint { get; }
    public int CipherSuite { get; }
    public ProtocolVersion Version { get; }

    public sealed record Options
    {
        public ProtocolVersion[] Versions { get; init; } = ProtocolVersion.DTLSv12.Only();
        public int[]? CipherSuites { get; init; }
        public int SendLimit { get; init; } = 1200;
        public int DropSendsAfter { get; init; } = int.MaxValue;
        public int HandshakeTimeoutMillis { get; init; } = 15_000;
        public double Loss { get; init; }
    }

    public static DtlsTestClient Connect(IPEndPoint server, Options? options = null) =>
        Connect(UdpClientTransport.ConnectedSocket(server), options);

    /// <summary>Handshakes over an existing socket (the caller may have sent raw datagrams on it before).</summary>
    public static DtlsTestClient Connect(System.Net.Sockets.Socket socket, Options? options = null)
    {
        options ??= new Options();
        var transport = new UdpClientTransport(socket, options.SendLimit, options.DropSendsAfter) { Loss = options.Loss };
        var peer = new Peer(options);
        try
        {
            DtlsTransport dtls = new DtlsClientProtocol().Connect(peer, transport);
            transport.Loss = 0;
            return new DtlsTestClient(dtls, transport, peer);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static Task<DtlsTestClient> ConnectAsync(IPEndPoint server, Options? options = null) =>
        Task.Run(() => Connect(server, options));

    public void Send(byte[] message) => _dtls.Send(message, 0, message.Length);

    /// <summary>The next application-data record, or null if none came within the timeout.</summary>
    public byte[]? Receive(int timeoutMillis = 5000)
    {
        byte[] buffer = new byte[1 << 16];
        long deadline = Environment.TickCount64 + timeoutMillis;
        while (Environment.TickCount64 < deadline)
        {
            int length = _dtls.Receive(buffer, 0, buffer.Length, (int)Math.Max(1, deadline - Environment.TickCount64));
            if (length >= 0)
                return buffer[..length];
            if (Transport.IsClosed)
                return null;
        }
        return null;
    }

    public byte[] Echo(byte[] message)
    {
        Send(message);
        return Receive() ?? throw new TimeoutException($"no echo of a {message.Length}-byte message");
    }

    /// <summary>Sends close_notify.</summary>
    public void Close() => _dtls.Close();

    public void Dispose()
    {
        try { _dtls.Close(); } catch (Exception) { }
        Transport.Socket.Dispose();
    }

    internal sealed class Peer(Options options) : DefaultTlsClient(new BcTlsCrypto())
    {
        public string? ServerFingerprint { get; set; }
        public int CipherSuite { get; private set; }
        public ProtocolVersion? Version { get; private set; }

        protected override ProtocolVersion[] GetSupportedVersions() => options.Versions;

        protected override int[] GetSupportedCipherSuites() =>
            options.CipherSuites is { } suites ? TlsUtilities.GetSupportedCipherSuites(Crypto, suites) : base.GetSupportedCipherSuites();

        public override int GetHandshakeTimeoutMillis() => options.HandshakeTimeoutMillis;

        public override TlsAuthentication GetAuthentication() => new Authentication(this);

        public override void NotifyHandshakeComplete()
        {
            base.NotifyHandshakeComplete();
            CipherSuite = m_context.SecurityParameters.CipherSuite;
            Version = m_context.ServerVersion;
        }

        private sealed class Authentication(Peer peer) : TlsAuthentication
        {
            public void NotifyServerCertificate(TlsServerCertificate serverCertificate)
            {
                byte[] leaf = serverCertificate.Certificate.GetCertificateAt(0).GetEncoded();
                peer.ServerFingerprint = BitConverter.ToString(SHA256.HashData(leaf)).Replace('-', ':');
            }

            public TlsCredentials? GetClientCredentials(CertificateRequest certificateRequest) => null;
        }
    }
}
