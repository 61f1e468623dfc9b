using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Turn.Configuration;
using Switchboard.Turn.Diagnostics;
using Switchboard.Turn.Transports;
using Switchboard.Turn.Transports.Dtls;

namespace Switchboard.Turn;

/// <summary>
/// Runs the TURN server in the host: a UDP and a TCP listener on Turn:Port and TLS (and DTLS) on
/// Turn:TlsPort for every Turn:ListenAddresses entry. On shutdown it drains: no new allocations,
/// existing ones keep relaying until they end or Turn:DrainTimeoutSeconds passes. The drain runs in
/// the host's "stopping" phase, before any service stops, so /healthz can still answer "draining".
/// </summary>
public sealed class TurnService(
    IOptions<TurnOptions> options,
    TurnMetrics metrics,
    ILoggerFactory loggers,
    TurnCertificateProvider certificates,
    TimeProvider time) : IHostedLifecycleService, IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _listeners = [];
    private readonly ILogger _logger = loggers.CreateLogger<TurnService>();

    public TurnServer? Server { get; private set; }

    /// <summary>The bound listeners, for logs and tests: transport and local endpoint.</summary>
    public IReadOnlyList<(ClientTransport Transport, IPEndPoint EndPoint)> Endpoints { get; private set; } = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.Enabled) return Task.CompletedTask;
        var server = new TurnServer(o, loggers.CreateLogger<TurnServer>(), metrics, time);
        Server = server;
        var certificate = o.EnableTls || o.EnableDtls ? certificates.Get() : null;
        var tlsContext = certificate?.CreateSslStreamContext();
        var endpoints = new List<(ClientTransport, IPEndPoint)>();
        var listenerLogger = loggers.CreateLogger("Switchboard.Turn.Listener");
        var streams = StreamListenerSettings.From(o, metrics, new SourceConnectionLimiter(o.MaxConnectionsPerSource));
        var dtls = new DtlsListenerSettings { MaxClientsPerSource = o.MaxConnectionsPerSource, AllocateWithin = TimeSpan.FromSeconds(o.AllocateWithinSeconds) };
        foreach (var text in o.EffectiveListenAddresses)
        {
            var address = IPAddress.Parse(text);
            if (o.EnableUdp) Add(new UdpListener(new IPEndPoint(address, o.Port), server, listenerLogger), ClientTransport.Udp, l => l.LocalEndPoint, l => l.Start());
            if (o.EnableTcp) Add(new StreamListener(new IPEndPoint(address, o.Port), server, null, listenerLogger, streams), ClientTransport.Tcp, l => l.LocalEndPoint, l => l.Start());
            if (o.EnableTls) Add(new StreamListener(new IPEndPoint(address, o.TlsPort), server, tlsContext, listenerLogger, streams), ClientTransport.Tls, l => l.LocalEndPoint, l => l.Start());
            if (o.EnableDtls) Add(new DtlsListener(new IPEndPoint(address, o.TlsPort), certificate!, server, listenerLogger, dtls), ClientTransport.Dtls, l => l.LocalEndPoint, l => l.Start());
        }
        Endpoints = endpoints;
        var relays = server.RelayAddresses;
        _logger.LogInformation("TURN listening on {Endpoints}; relaying from {RelayV4} {RelayV6} ports {Min}-{Max}; realm {Realm}",
            string.Join(", ", endpoints.Select(e => $"{e.Item1.ToString().ToLowerInvariant()}:{e.Item2}")),
            relays.V4, relays.V6, o.MinPort, o.MaxPort, o.Realm);
        return Task.CompletedTask;

        void Add<T>(T listener, ClientTransport transport, Func<T, IPEndPoint> endPoint, Action<T> start) where T : IAsyncDisposable
        {
            _listeners.Add(listener);
            endpoints.Add((transport, endPoint(listener)));
            start(listener);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The drain: refuse new allocations and wait for the existing ones, or the drain timeout.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (Server is not { } server) return;
        server.StartDraining();
        var deadline = time.GetUtcNow().AddSeconds(options.Value.DrainTimeoutSeconds);
        while (server.AllocationCount > 0 && time.GetUtcNow() < deadline && !cancellationToken.IsCancellationRequested)
        {
            try { await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
        }
        _logger.LogInformation("TURN drained, {Count} allocations left", server.AllocationCount);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners) await listener.DisposeAsync().ConfigureAwait(false);
        _listeners.Clear();
        Server?.Dispose();
        Server = null;
    }
}
