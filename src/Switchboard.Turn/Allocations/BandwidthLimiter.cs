namespace Switchboard.Turn.Allocations;

/// <summary>
/// A token bucket in bytes for Turn:MaxBitsPerSecond: one second of traffic may burst, anything
/// beyond is dropped. Not thread-safe; each direction of an allocation has its own.
/// </summary>
public sealed class BandwidthLimiter(long bitsPerSecond)
{
    private readonly long _bytesPerSecond = bitsPerSecond / 8;
    private double _tokens = bitsPerSecond / 8;
    private long _last;

    public bool IsUnlimited => _bytesPerSecond <= 0;

    /// <summary>True when <paramref name="bytes"/> fit in the bucket at <paramref name="nowMs"/>; takes them.</summary>
    public bool TryConsume(int bytes, long nowMs)
    {
        if (_bytesPerSecond <= 0) return true;
        if (nowMs > _last)
        {
            _tokens = Math.Min(_bytesPerSecond, _tokens + (nowMs - _last) * _bytesPerSecond / 1000.0);
            _last = nowMs;
        }
        if (_tokens < bytes) return false;
        _tokens -= bytes;
        return true;
    }

    /// <summary>
    /// For streams, where nothing may be dropped: takes <paramref name="bytes"/> even into debt and
    /// returns how many milliseconds the sender should wait for the bucket to be level again.
    /// </summary>
    public int TakeAndGetDelay(int bytes, long nowMs)
    {
        if (_bytesPerSecond <= 0) return 0;
        if (nowMs > _last)
        {
            _tokens = Math.Min(_bytesPerSecond, _tokens + (nowMs - _last) * _bytesPerSecond / 1000.0);
            _last = nowMs;
        }
        _tokens -= bytes;
        return _tokens >= 0 ? 0 : (int)Math.Ceiling(-_tokens * 1000.0 / _bytesPerSecond);
    }
}
