namespace Switchboard.Protocols.Bwe;

/// <summary>
/// A sliding time window cut into a fixed number of buckets that are reused in a ring: the bucket of the current
/// moment (cleared when it last held an older period), and the buckets still inside the window. Allocates only when
/// made. Times are milliseconds of a monotonic clock (not negative, never going back). Not thread-safe: the owner
/// serializes calls.
/// </summary>
public sealed class SlidingWindow<TBucket> where TBucket : struct
{
    private readonly TBucket[] _buckets;
    private readonly long[] _periods; // which period (time / BucketMillis) each bucket holds

    public SlidingWindow(int windowMillis, int bucketCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bucketCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowMillis, bucketCount);
        BucketMillis = windowMillis / bucketCount;
        _buckets = new TBucket[bucketCount];
        _periods = new long[bucketCount];
        _periods.AsSpan().Fill(long.MinValue);
    }

    public int BucketMillis { get; }

    /// <summary>The bucket <paramref name="nowMillis"/> falls in.</summary>
    public ref TBucket At(long nowMillis)
    {
        long period = Period(nowMillis);
        int index = (int)(period % _buckets.Length);
        if (_periods[index] != period)
        {
            _periods[index] = period;
            _buckets[index] = default;
        }
        return ref _buckets[index];
    }

    /// <summary>
    /// How many milliseconds the window ending at <paramref name="nowMillis"/> covers: the whole buckets before the
    /// current one, and the current one up to now.
    /// </summary>
    public long CoveredMillis(long nowMillis) =>
        (long)(_buckets.Length - 1) * BucketMillis + (nowMillis - Period(nowMillis) * BucketMillis) + 1;

    /// <summary>The buckets inside the window ending at <paramref name="nowMillis"/>, for <c>foreach (ref readonly var b in ...)</c>.</summary>
    public Enumerator InWindow(long nowMillis) => new(this, Period(nowMillis));

    private long Period(long millis) => millis / BucketMillis;

    public ref struct Enumerator(SlidingWindow<TBucket> window, long newest)
    {
        private int _index = -1;

        public readonly ref readonly TBucket Current => ref window._buckets[_index];

        public readonly Enumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (++_index < window._buckets.Length)
            {
                long period = window._periods[_index];
                if (period <= newest && period > newest - window._buckets.Length) return true;
            }
            return false;
        }
    }
}
