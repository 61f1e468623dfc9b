using System.Diagnostics.Metrics;

namespace Switchboard.Turn.Diagnostics;

/// <summary>
/// The TURN server's instruments on the platform's Meter API; the host exports them (Prometheus at /metrics,
/// where "switchboard.turn.relayed.packets" becomes switchboard_turn_relayed_packets_total).
/// Counters are incremented without allocating: tag values are interned constants.
/// </summary>
public sealed class TurnMetrics : IDisposable
{
    public const string MeterName = "Switchboard.Turn";

    private readonly Meter _meter;
    private readonly Counter<long> _allocationsTotal;
    private readonly Counter<long> _packets;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _deniedPeers;
    private readonly Counter<long> _quotaRejections;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _requests;
    private long _currentAllocations;

    public TurnMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _allocationsTotal = _meter.CreateCounter<long>("switchboard.turn.allocations.created", description: "Allocations created");
        _meter.CreateObservableGauge("switchboard.turn.allocations.active", () => Interlocked.Read(ref _currentAllocations), description: "Allocations now");
        _packets = _meter.CreateCounter<long>("switchboard.turn.relayed.packets", description: "Packets relayed, by direction");
        _bytes = _meter.CreateCounter<long>("switchboard.turn.relayed.bytes", description: "Application bytes relayed, by direction");
        _authFailures = _meter.CreateCounter<long>("switchboard.turn.auth.failures", description: "Authentication failures, by reason");
        _deniedPeers = _meter.CreateCounter<long>("switchboard.turn.peers.denied", description: "Permissions refused by the peer policy, by reason");
        _quotaRejections = _meter.CreateCounter<long>("switchboard.turn.quota.rejections", description: "Requests refused by a quota, by quota");
        _dropped = _meter.CreateCounter<long>("switchboard.turn.dropped.packets", description: "Packets dropped, by reason");
        _requests = _meter.CreateCounter<long>("switchboard.turn.requests", description: "STUN requests handled, by method");
    }

    public long CurrentAllocations => Interlocked.Read(ref _currentAllocations);

    public void AllocationCreated()
    {
        Interlocked.Increment(ref _currentAllocations);
        _allocationsTotal.Add(1);
    }

    public void AllocationEnded() => Interlocked.Decrement(ref _currentAllocations);

    /// <summary>Client to peer.</summary>
    public void RelayedToPeer(int bytes)
    {
        _packets.Add(1, new KeyValuePair<string, object?>("direction", "to_peer"));
        _bytes.Add(bytes, new KeyValuePair<string, object?>("direction", "to_peer"));
    }

    /// <summary>Peer to client.</summary>
    public void RelayedToClient(int bytes)
    {
        _packets.Add(1, new KeyValuePair<string, object?>("direction", "to_client"));
        _bytes.Add(bytes, new KeyValuePair<string, object?>("direction", "to_client"));
    }

    public void AuthFailure(string reason) => _authFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));
    public void PeerDenied(string reason) => _deniedPeers.Add(1, new KeyValuePair<string, object?>("reason", reason));
    public void QuotaRejected(string quota) => _quotaRejections.Add(1, new KeyValuePair<string, object?>("quota", quota));
    public void Dropped(string reason) => _dropped.Add(1, new KeyValuePair<string, object?>("reason", reason));
    public void Request(string method) => _requests.Add(1, new KeyValuePair<string, object?>("method", method));

    public void Dispose() => _meter.Dispose();
}
