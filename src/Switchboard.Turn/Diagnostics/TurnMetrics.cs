using System.Diagnostics.Metrics;

namespace Switchboard.Turn.Diagnostics;

/// <summary>
/// The TURN server's instruments on the platform's Meter API; the host exports them (Prometheus at /metrics,
/// where "switchboard.turn.relayed.packets" becomes switchboard_turn_relayed_packets_total).
/// Counters are incremented without allocating: tag values are interned constants. The per-packet
/// counts are plain fields read by observable counters when the exporter collects, because a
/// Counter.Add with a listener attached costs several hundred nanoseconds, more than the rest of
/// the relay path outside the system calls.
/// </summary>
public sealed class TurnMetrics : IDisposable
{
    public const string MeterName = "Switchboard.Turn";

    private readonly Meter _meter;
    private readonly Counter<long> _allocationsTotal;
    private static readonly KeyValuePair<string, object?>[] ToPeer = [new("direction", "to_peer")];
    private static readonly KeyValuePair<string, object?>[] ToClient = [new("direction", "to_client")];
    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _deniedPeers;
    private readonly Counter<long> _quotaRejections;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _connectionsClosed;
    private readonly ReasonTally _authFailureTally = new(), _deniedPeerTally = new(), _quotaRejectionTally = new();
    private long _currentAllocations;
    private long _packetsToPeer;
    private long _packetsToClient;
    private long _bytesToPeer;
    private long _bytesToClient;

    public TurnMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _allocationsTotal = _meter.CreateCounter<long>("switchboard.turn.allocations.created", description: "Allocations created");
        _meter.CreateObservableGauge("switchboard.turn.allocations.active", () => Interlocked.Read(ref _currentAllocations), description: "Allocations now");
        _meter.CreateObservableCounter("switchboard.turn.relayed.packets",
            () => Both(ref _packetsToPeer, ref _packetsToClient), description: "Packets relayed, by direction");
        _meter.CreateObservableCounter("switchboard.turn.relayed.bytes",
            () => Both(ref _bytesToPeer, ref _bytesToClient), description: "Application bytes relayed, by direction");
        _authFailures = _meter.CreateCounter<long>("switchboard.turn.auth.failures", description: "Authentication failures, by reason");
        _deniedPeers = _meter.CreateCounter<long>("switchboard.turn.peers.denied", description: "Permissions refused by the peer policy, by reason");
        _quotaRejections = _meter.CreateCounter<long>("switchboard.turn.quota.rejections", description: "Requests refused by a quota, by quota");
        _dropped = _meter.CreateCounter<long>("switchboard.turn.dropped.packets", description: "Packets dropped, by reason");
        _requests = _meter.CreateCounter<long>("switchboard.turn.requests", description: "STUN requests handled, by method");
        _connectionsClosed = _meter.CreateCounter<long>("switchboard.turn.connections.closed",
            description: "TCP and TLS connections the server refused or closed for a limit, by reason");
    }

    /// <summary>This instance's meter: several servers in one process (tests) each have their own.</summary>
    internal Meter Meter => _meter;

    public void AllocationCreated()
    {
        Interlocked.Increment(ref _currentAllocations);
        _allocationsTotal.Add(1);
    }

    public void AllocationEnded() => Interlocked.Decrement(ref _currentAllocations);

    /// <summary>Client to peer.</summary>
    public void RelayedToPeer(int bytes)
    {
        Interlocked.Increment(ref _packetsToPeer);
        Interlocked.Add(ref _bytesToPeer, bytes);
    }

    /// <summary>Peer to client.</summary>
    public void RelayedToClient(int bytes)
    {
        Interlocked.Increment(ref _packetsToClient);
        Interlocked.Add(ref _bytesToClient, bytes);
    }

    private static Measurement<long>[] Both(ref long toPeer, ref long toClient) =>
        [new(Interlocked.Read(ref toPeer), ToPeer), new(Interlocked.Read(ref toClient), ToClient)];

    public void AuthFailure(string reason)
    {
        _authFailureTally.Add(reason);
        _authFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    public void PeerDenied(string reason)
    {
        _deniedPeerTally.Add(reason);
        _deniedPeers.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    public void QuotaRejected(string quota)
    {
        _quotaRejectionTally.Add(quota);
        _quotaRejections.Add(1, new KeyValuePair<string, object?>("quota", quota));
    }

    /// <summary>Since the start, by reason (a small fixed set of names), for the admin dashboard.</summary>
    public IReadOnlyDictionary<string, long> AuthFailures => _authFailureTally.Read();
    public IReadOnlyDictionary<string, long> DeniedPeers => _deniedPeerTally.Read();
    public IReadOnlyDictionary<string, long> QuotaRejections => _quotaRejectionTally.Read();

    /// <summary>Packets and application bytes relayed since the start.</summary>
    public (long PacketsToPeer, long PacketsToClient, long BytesToPeer, long BytesToClient) Relayed =>
        (Interlocked.Read(ref _packetsToPeer), Interlocked.Read(ref _packetsToClient), Interlocked.Read(ref _bytesToPeer), Interlocked.Read(ref _bytesToClient));
    public void Dropped(string reason) => _dropped.Add(1, new KeyValuePair<string, object?>("reason", reason));
    public void Request(string method) => _requests.Add(1, new KeyValuePair<string, object?>("method", method));
    public void ConnectionClosed(string reason) => _connectionsClosed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Dispose() => _meter.Dispose();
}
