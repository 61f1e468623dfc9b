namespace Switchboard.Protocols.Bwe;

/// <summary>
/// Bits per second over a sliding window, counted in ten buckets of a tenth of the window each, so a steady stream
/// reads steady and a stream that stops falls to 0 within the window. Not thread-safe: the owner serializes calls.
/// </summary>
public sealed class BitrateMeter
{
    private const int Buckets = 10;

    private readonly SlidingWindow<long> _bytes;

    public BitrateMeter(int windowMillis = 1000) => _bytes = new SlidingWindow<long>(windowMillis, Buckets);

    /// <summary>When the last packet was added; 0 before the first.</summary>
    public long LastPacketAt { get; private set; }

    public void Add(int bytes, long nowMillis)
    {
        _bytes.At(nowMillis) += bytes;
        LastPacketAt = nowMillis;
    }

    /// <summary>The bytes of the window's buckets over the time they cover (the current bucket only up to now).</summary>
    public long BitsPerSecond(long nowMillis)
    {
        long bytes = 0;
        foreach (ref readonly long bucket in _bytes.InWindow(nowMillis)) bytes += bucket;
        return bytes * 8 * 1000 / _bytes.CoveredMillis(nowMillis);
    }
}
