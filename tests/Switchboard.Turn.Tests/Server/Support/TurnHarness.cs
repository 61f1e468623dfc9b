using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Turn.Configuration;
using Switchboard.Turn.Diagnostics;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn.Tests.Server.Support;

/// <summary>
/// A TurnServer with no listener: tests hand messages to <see cref="TurnServer.HandleMessage"/> through
/// in-memory connections. Each harness gets its own relay port range, so tests can run side by side.
/// </summary>
internal sealed class TurnHarness : IDisposable
{
    public const string Realm = "switchboard.test";

    private const int FirstRelayPort = 10000;
    private static int s_nextRelayPort = FirstRelayPort;
    private static int s_nextClientPort = 40000;

    private readonly TurnMetrics _metrics = new();

    public TurnHarness(Action<TurnOptions>? configure = null, int relayPorts = 32)
    {
        int min = Interlocked.Add(ref s_nextRelayPort, relayPorts) - relayPorts;
        Options = new TurnOptions
        {
            Realm = Realm,
            Users = ["alice:secret", "bob:pw"],
            StaticAuthSecrets = ["rest1", "rest2"],
            RelayAddress = "127.0.0.1",
            RelayAddressV6 = "::1",
            MinPort = min,
            MaxPort = min + relayPorts - 1,
        };
        configure?.Invoke(Options);
        Server = new TurnServer(Options, NullLogger<TurnServer>.Instance, _metrics, Time);
    }

    public ManualTimeProvider Time { get; } = new();

    /// <summary>The server's metrics, to wait for what the relay loops do asynchronously (a datagram dropped).</summary>
    internal TurnMetrics Metrics => _metrics;
    public TurnOptions Options { get; }
    public TurnServer Server { get; }

    /// <summary>A new 5-tuple from <paramref name="address"/> (127.0.0.1 unless given) on a port no other test uses.</summary>
    public TestConnection Connection(ClientTransport transport = ClientTransport.Udp, string address = "127.0.0.1") =>
        new(transport, new IPEndPoint(IPAddress.Parse(address), Interlocked.Increment(ref s_nextClientPort) % 65000 + 1));

    public TestClient Client(string username = "alice", string password = "secret",
        ClientTransport transport = ClientTransport.Udp, string address = "127.0.0.1") =>
        new(this, Connection(transport, address), username, password);

    public TestClient Client(TestConnection connection, string username = "alice", string password = "secret") =>
        new(this, connection, username, password);

    public void Dispose()
    {
        Server.Dispose();
        _metrics.Dispose();
    }
}
