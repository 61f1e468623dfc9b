using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Turn.Configuration;
using Switchboard.Turn.Diagnostics;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn.Tests.Support;

/// <summary>
/// A real <see cref="TurnServer"/> behind a TCP <see cref="StreamListener"/> on 127.0.0.1 (any port), put
/// together as TurnService does; relays on 127.0.0.1, loopback peers allowed, users alice and bob.
/// </summary>
public sealed class TestTurnServer : IAsyncDisposable
{
    private readonly StreamListener _listener;
    private readonly TurnMetrics _metrics = new();

    private TestTurnServer(TurnOptions options, TimeProvider? time)
    {
        Options = options;
        Server = new TurnServer(options, NullLogger<TurnServer>.Instance, _metrics, time);
        _listener = new StreamListener(new IPEndPoint(IPAddress.Loopback, 0), Server, null, NullLogger.Instance);
        _listener.Start();
    }

    public TurnOptions Options { get; }
    public TurnServer Server { get; }
    public IPEndPoint EndPoint => _listener.LocalEndPoint;

    public static TestTurnServer Start(Action<TurnOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new TurnOptions
        {
            Users = ["alice:secret", "bob:secret"],
            AllowLoopbackPeers = true,
            ListenAddresses = ["127.0.0.1"],
            RelayAddress = "127.0.0.1",
            MinPort = 47000,
            MaxPort = 47999,
        };
        configure?.Invoke(options);
        return new TestTurnServer(options, time);
    }

    public Task<TestTurnClient> ConnectClientAsync(string username = "alice", string password = "secret") =>
        TestTurnClient.ConnectAsync(EndPoint, username, password);

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync();
        Server.Dispose();
        _metrics.Dispose();
    }
}

/// <summary>The system clock moved forward on demand, for timeouts that tests cannot wait out; timers stay real.</summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    public TimeSpan Offset { get; set; }
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
