using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;
using Switchboard.Turn;
using Switchboard.Turn.Allocations;
using Switchboard.Turn.Configuration;
using Switchboard.Turn.Diagnostics;
using Switchboard.Turn.Transports;

namespace Switchboard.Benchmarks;

/// <summary>
/// The per-packet paths of a live allocation through the real server code, one 100-byte packet per
/// operation. Client to peer: <see cref="TurnServer.HandleMessage"/> on a client whose allocation has
/// a real <see cref="UdpRelay"/> socket on 127.0.0.1, sending to a peer socket that nobody reads (the
/// kernel drops what overflows its buffer), so those numbers include one sendto system call; the
/// "sendto alone" row is that system call by itself. Peer to client: <see cref="Allocation.DeliverFromPeer"/>
/// as the relay's receive loop calls it, with a client connection whose Send discards the message
/// (no system call). Sockets are used, so run it inside loopback-run.
/// </summary>
[MemoryDiagnoser]
[SuppressMessage("Design", "CA1001", Justification =
    "BenchmarkDotNet owns the lifetime: [GlobalSetup] creates the fields, [GlobalCleanup] disposes them; the class cannot be sealed, as BenchmarkDotNet derives from it")]
public class TurnPathBenchmarks
{
    private const ushort Channel = 0x4000;
    private const int PayloadLength = ProtocolBenchmarks.PayloadLength;

    private TurnMetrics _metrics = null!;
    private IDisposable? _exporter;
    private TurnServer _server = null!;
    private DiscardConnection _client = null!;
    private Allocation _allocation = null!;
    private UdpRelay _relay = null!;
    private Socket _relaySocket = null!;
    private Socket _peerSocket = null!;
    private SocketAddress _peerAddress = null!;
    private SocketAddress _otherPeerAddress = null!;
    private readonly byte[] _payload = new byte[PayloadLength];
    private readonly byte[] _channelData = new byte[ChannelData.HeaderLength + PayloadLength];
    private byte[] _sendIndication = [];
    private byte[] _bindingRequest = [];
    private readonly byte[] _relayBuffer = new byte[UdpRelay.Headroom + 65536 + 4];

    /// <summary>
    /// Whether a MeterListener takes the server's measurements, as the host's metrics exporter does in
    /// the server; without a listener, Counter.Add returns almost at once.
    /// This listener only sums the values, so it is a lower bound of what an exporter costs.
    /// </summary>
    [Params(false, true)]
    public bool MetricsListened { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _metrics = new TurnMetrics();
        if (MetricsListened) _exporter = StartListener();
        var options = new TurnOptions
        {
            ListenAddresses = ["127.0.0.1"],
            RelayAddress = "127.0.0.1",
            AllowLoopbackPeers = true,
            Users = ["alice:secret"],
            // Exercised, never exhausted: the Binding row measures the bucket, not the drop.
            UnauthenticatedRequestsPerSecond = 1_000_000_000,
            UnauthenticatedRequestBurst = 1_000_000_000,
        };
        _server = new TurnServer(options, NullLogger<TurnServer>.Instance, _metrics);
        _client = new DiscardConnection();

        _peerSocket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _peerSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var peer = (IPEndPoint)_peerSocket.LocalEndPoint!;
        _peerAddress = peer.Serialize();
        _otherPeerAddress = new IPEndPoint(IPAddress.Loopback, peer.Port == 65535 ? 65534 : peer.Port + 1).Serialize();

        _allocation = new Allocation(1, _client, "alice", StunTransactionId.NewRandom(),
            new AllocationLimits(256, 256, 0), _metrics, TimeProvider.System);
        _relaySocket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _relaySocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _relay = new UdpRelay(_relaySocket, (IPEndPoint)_relaySocket.LocalEndPoint!, _allocation.DeliverFromPeer, static (_, e) => throw e);
        _allocation.AttachRelays(_relay, null);
        _allocation.ExpiresAt = long.MaxValue;
        _client.Allocation = _allocation;
        long now = _allocation.Now;
        if (_allocation.TryBindChannel(Channel, peer, now) != ChannelBindOutcome.Bound) throw new InvalidOperationException("ChannelBind failed");

        Random.Shared.NextBytes(_payload);
        ChannelData.Write(_channelData, Channel, _payload, stream: false);
        var transactionId = StunTransactionId.NewRandom();
        _sendIndication = ProtocolBenchmarks.BuildSendIndication(transactionId, peer, _payload);
        transactionId = StunTransactionId.NewRandom();
        var request = new byte[64];
        var writer = new StunMessageWriter(request, new StunMessageType(StunMethod.Binding, StunClass.Request), transactionId);
        writer.AddFingerprint();
        _bindingRequest = writer.Written.ToArray();
        _payload.CopyTo(_relayBuffer.AsSpan(UdpRelay.Headroom));
    }

    private static MeterListener StartListener()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == TurnMetrics.MeterName) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref s_measured, value));
        listener.Start();
        return listener;
    }

    private static long s_measured;

    [GlobalCleanup]
    public void Cleanup()
    {
        _allocation.Dispose();
        _server.Dispose();
        _peerSocket.Dispose();
        _exporter?.Dispose();
        _metrics.Dispose();
    }

    [Benchmark(Description = "sendto alone (100 B, the floor of the client->peer rows)")]
    public int SendToAlone() => _relaySocket.SendTo(_payload, SocketFlags.None, _peerAddress);

    [Benchmark(Description = "client->peer: HandleMessage(ChannelData) + sendto")]
    public void ClientToPeerChannelData() => _server.HandleMessage(_client, _channelData);

    [Benchmark(Description = "client->peer: HandleMessage(Send indication) + sendto")]
    public void ClientToPeerSendIndication() => _server.HandleMessage(_client, _sendIndication);

    [Benchmark(Description = "peer->client: DeliverFromPeer as ChannelData")]
    public void PeerToClientChannelData() => _allocation.DeliverFromPeer(_relay, _relayBuffer, PayloadLength, _peerAddress);

    [Benchmark(Description = "peer->client: DeliverFromPeer as Data indication")]
    public void PeerToClientDataIndication() => _allocation.DeliverFromPeer(_relay, _relayBuffer, PayloadLength, _otherPeerAddress);

    [Benchmark(Description = "Binding request -> response (HandleMessage)")]
    public void Binding() => _server.HandleMessage(_client, _bindingRequest);

    /// <summary>A UDP client whose messages go nowhere: the peer-to-client rows stop before the system call.</summary>
    private sealed class DiscardConnection() : ClientConnection(ClientTransport.Udp,
        new IPEndPoint(IPAddress.Loopback, 50000), new IPEndPoint(IPAddress.Loopback, 3478))
    {
        public long Bytes { get; private set; }
        public override void Send(ReadOnlySpan<byte> message) => Bytes += message.Length;
        public override void Close() { }
    }
}
