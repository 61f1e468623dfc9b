namespace Switchboard.Media.Tests.Sfu.Simulation;

/// <summary>
/// One direction of a participant's path: a fixed delay, jitter (which reorders packets), random loss from the
/// harness's seeded generator, and optionally a bottleneck where packets queue behind each other at its capacity and
/// a queue longer than <see cref="MaxQueueMillis"/> drops what arrives (drop-tail), as a congested router does. Each
/// packet remembers the connection it belongs to: a replaced connection's packets still in flight never reach the new one.
/// </summary>
internal sealed class SimulatedLink(Random random)
{
    private readonly PriorityQueue<(byte[] Packet, SimulatedConnection? Connection), (long ArrivalMicros, long Order)> _inFlight = new();
    private long _order, _bottleneckFreeAtMicros;

    public int DelayMillis { get; set; } = 20;
    public int JitterMillis { get; set; }
    public double Loss { get; set; }
    public long CapacityBitsPerSecond { get; set; } = long.MaxValue;
    public int MaxQueueMillis { get; set; } = 250;

    public long Sent { get; private set; }
    public long Dropped { get; private set; }

    public void Send(ReadOnlySpan<byte> packet, long nowMicros, SimulatedConnection? connection)
    {
        Sent++;
        if (Loss > 0 && random.NextDouble() < Loss)
        {
            Dropped++;
            return;
        }
        long departure = nowMicros;
        if (CapacityBitsPerSecond != long.MaxValue)
        {
            long start = Math.Max(nowMicros, _bottleneckFreeAtMicros);
            if (start - nowMicros > MaxQueueMillis * 1000L)
            {
                Dropped++;
                return;
            }
            departure = start + packet.Length * 8L * 1_000_000 / CapacityBitsPerSecond;
            _bottleneckFreeAtMicros = departure;
        }
        long jitter = JitterMillis > 0 ? random.Next(JitterMillis * 1000) : 0;
        _inFlight.Enqueue((packet.ToArray(), connection), (departure + DelayMillis * 1000L + jitter, _order++));
    }

    public bool TryReceive(long nowMicros, out byte[] packet, out SimulatedConnection? connection)
    {
        if (_inFlight.TryPeek(out var next, out var due) && due.ArrivalMicros <= nowMicros)
        {
            _inFlight.Dequeue();
            (packet, connection) = next;
            return true;
        }
        (packet, connection) = (null!, null);
        return false;
    }
}
