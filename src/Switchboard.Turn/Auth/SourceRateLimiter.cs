using System.Collections.Concurrent;
using System.Net;

namespace Switchboard.Turn.Auth;

/// <summary>
/// A token bucket per source (an IPv4 address or an IPv6 /64, <see cref="Transports.SourceKey"/>) for requests that come
/// without valid credentials (challenges, Binding requests, failed authentication), so one source cannot make the server
/// busy for all.
/// </summary>
public sealed class SourceRateLimiter(int perSecond, int burst)
{
    private sealed class Bucket
    {
        public double Tokens;
        public long Last;
    }

    private readonly ConcurrentDictionary<IPAddress, Bucket> _buckets = new();

    public bool TryAcquire(IPAddress source, long nowMs)
    {
        if (perSecond <= 0) return true;
        var bucket = _buckets.GetOrAdd(Transports.SourceKey.Of(source), static (_, b) => new Bucket { Tokens = b, Last = 0 }, burst);
        lock (bucket)
        {
            if (bucket.Last != 0)
                bucket.Tokens = Math.Min(burst, bucket.Tokens + (nowMs - bucket.Last) * perSecond / 1000.0);
            bucket.Last = nowMs;
            if (bucket.Tokens < 1) return false;
            bucket.Tokens -= 1;
            return true;
        }
    }

    /// <summary>Forgets sources that have been quiet long enough to have a full bucket again.</summary>
    public void Sweep(long nowMs)
    {
        long refill = perSecond <= 0 ? 0 : burst * 1000L / perSecond;
        foreach (var (source, bucket) in _buckets)
            if (nowMs - bucket.Last > refill) _buckets.TryRemove(source, out _);
    }

    public int TrackedSources => _buckets.Count;
}
