namespace Switchboard.Protocols.Rtp;

/// <summary>
/// The bytes a sender may send again to one receiver: each packet sent for the first time earns half its size, up to
/// a burst; each retransmission spends its size. Whatever a receiver asks, what is sent again stays under half of what
/// it is sent (plus the burst), so NACKs cannot turn a server into an amplifier. Thread-safe: forwarding threads earn,
/// the receiver's RTCP path spends.
/// </summary>
public sealed class RetransmissionBudget(int burstBytes = 64 * 1024)
{
    private long _available = burstBytes;

    public long Available => Volatile.Read(ref _available);

    /// <summary>A packet of <paramref name="bytes"/> went to the receiver for the first time.</summary>
    public void Earn(int bytes)
    {
        long available = Interlocked.Add(ref _available, bytes / 2);
        if (available > burstBytes) Interlocked.CompareExchange(ref _available, burstBytes, available);
    }

    /// <summary>True, and spent, when a retransmission of <paramref name="bytes"/> fits the budget.</summary>
    public bool TrySpend(int bytes)
    {
        long available = Volatile.Read(ref _available);
        while (available >= bytes)
        {
            long seen = Interlocked.CompareExchange(ref _available, available - bytes, available);
            if (seen == available) return true;
            available = seen;
        }
        return false;
    }
}
