using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Turn.Configuration;
using Switchboard.Turn.Diagnostics;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn.Tests.Support;

/// <summary>
/// A real <see cref="TurnServer"/> behind real listeners on 127.0.0.1 (any port): TCP, UDP and, when asked, TLS,
/// put together as TurnService does; relays on 127.0.0.1 and ::1, loopback peers allowed, users alice and bob.
/// </summary>
public sealed class TestTurnServer : IAsyncDisposable
{
    private readonly StreamListener _listener;
    private readonly UdpListener _udp;
    private readonly StreamListener? _tls;
    private readonly TurnMetrics _metrics = new();

    private TestTurnServer(TurnOptions options, TimeProvider? time, bool tls)
    {
        Options = options;
        Server = new TurnServer(options, NullLogger<TurnServer>.Instance, _metrics, time);
        Counts = new MetricCounts(_metrics);
        var loopback = new IPEndPoint(IPAddress.Loopback, 0);
        var streams = StreamListenerSettings.From(options, _metrics, new SourceConnectionLimiter(options.MaxConnectionsPerSource));
        _listener = new StreamListener(loopback, Server, null, NullLogger.Instance, streams);
        _udp = new UdpListener(loopback, Server, NullLogger.Instance);
        _tls = tls ? new StreamListener(loopback, Server, SelfSignedContext(), NullLogger.Instance, streams) : null;
        _listener.Start();
        _udp.Start();
        _tls?.Start();
    }

    public TurnOptions Options { get; }
    public TurnServer Server { get; }

    /// <summary>What the server's counters have counted since it started.</summary>
    public MetricCounts Counts { get; }

    public IPEndPoint EndPoint => _listener.LocalEndPoint;
    public IPEndPoint UdpEndPoint => _udp.LocalEndPoint;
    public IPEndPoint TlsEndPoint => (_tls ?? throw new InvalidOperationException("started without TLS")).LocalEndPoint;
    public StreamListener TcpListener => _listener;
    public StreamListener TlsListener => _tls ?? throw new InvalidOperationException("started without TLS");

    public static TestTurnServer Start(Action<TurnOptions>? configure = null, TimeProvider? time = null, bool tls = false)
    {
        var options = new TurnOptions
        {
            Users = ["alice:secret", "bob:secret"],
            AllowLoopbackPeers = true,
            ListenAddresses = ["127.0.0.1"],
            RelayAddress = "127.0.0.1",
            RelayAddressV6 = "::1",
            MinPort = 47000,
            MaxPort = 47999,
        };
        configure?.Invoke(options);
        return new TestTurnServer(options, time, tls);
    }

    public Task<TestTurnClient> ConnectClientAsync(string username = "alice", string password = "secret") =>
        TestTurnClient.ConnectAsync(EndPoint, username, password);

    public Task<TestTurnClient> ConnectTlsClientAsync(string username = "alice", string password = "secret") =>
        TestTurnClient.ConnectAsync(TlsEndPoint, username, password, tls: true);

    internal UdpTurnClient UdpClient(string username = "alice", string password = "secret") => new(UdpEndPoint, username, password);

    private static SslStreamCertificateContext SelfSignedContext()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // An ephemeral key cannot be used by SslStream on every platform: go through PKCS#12.
        var exported = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        return SslStreamCertificateContext.Create(exported, null, offline: true);
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync();
        await _udp.DisposeAsync();
        if (_tls is not null) await _tls.DisposeAsync();
        Server.Dispose();
        Counts.Dispose();
        _metrics.Dispose();
    }
}

/// <summary>The system clock moved forward on demand, for timeouts that tests cannot wait out; timers stay real.</summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    public TimeSpan Offset { get; set; }
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
