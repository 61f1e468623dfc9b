namespace Switchboard.Signaling.Connections;

/// <summary>
/// A token bucket per connection: <c>MessagesPerSecond</c> refill, <c>MessageBurst</c> capacity. Counts the
/// messages dropped in a row, so that a client that keeps flooding can be disconnected.
/// </summary>
public sealed class MessageRateLimiter(int perSecond, int burst, TimeProvider time)
{
    double _tokens = burst;
    long _last = time.GetTimestamp();

    public int DroppedInARow { get; private set; }

    public bool TryAcquire()
    {
        long now = time.GetTimestamp();
        _tokens = Math.Min(burst, _tokens + time.GetElapsedTime(_last, now).TotalSeconds * perSecond);
        _last = now;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            DroppedInARow = 0;
            return true;
        }
        DroppedInARow++;
        return false;
    }
}
