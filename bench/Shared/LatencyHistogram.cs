namespace Switchboard.Bench;

/// <summary>Relay latencies in 10 µs buckets up to 10 s, counted without locks or allocation.</summary>
public sealed class LatencyHistogram
{
    const int BucketMicroseconds = 10;
    readonly long[] _buckets = new long[1_000_001];

    public void Record(TimeSpan latency)
    {
        long bucket = Math.Clamp((long)(latency.TotalMicroseconds / BucketMicroseconds), 0, _buckets.Length - 1);
        Interlocked.Increment(ref _buckets[bucket]);
    }

    public long Count => _buckets.Sum();

    /// <summary>Forgets every sample (the end of a warm-up).</summary>
    public void Reset() => Array.Clear(_buckets);

    /// <summary>The latency below which <paramref name="fraction"/> of the samples fall, in milliseconds.</summary>
    public double Percentile(double fraction)
    {
        long total = Count, seen = 0;
        if (total == 0) return double.NaN;
        for (int i = 0; i < _buckets.Length; i++)
        {
            seen += _buckets[i];
            if (seen >= fraction * total) return (i + 1) * BucketMicroseconds / 1000.0;
        }
        return double.PositiveInfinity;
    }

    public double Max()
    {
        for (int i = _buckets.Length - 1; i >= 0; i--) if (_buckets[i] > 0) return (i + 1) * BucketMicroseconds / 1000.0;
        return double.NaN;
    }
}
