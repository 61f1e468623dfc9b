namespace Switchboard.Protocols.Rtcp;

/// <summary>
/// Merges key frame requests (PLI, RFC 4585 §6.3.1; FIR, RFC 5104 §4.3.1) toward one publisher stream: at most one
/// goes out per interval, and requests made meanwhile are remembered until a key frame arrives or the interval has
/// passed (then <see cref="TakeDue"/> sends one more). Not thread-safe: the owner serializes calls.
/// </summary>
public sealed class KeyframeRequestThrottle
{
    private readonly int _intervalMillis;
    private bool _sentOnce;
    private long _lastSentAt;
    private bool _pending;

    public KeyframeRequestThrottle(int intervalMillis = 500)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(intervalMillis);
        _intervalMillis = intervalMillis;
    }

    public long RequestsSent { get; private set; }
    public long RequestsMerged { get; private set; }

    /// <summary>When the last key frame arrived; 0 before the first.</summary>
    public long LastKeyframeAt { get; private set; }

    /// <summary>
    /// A subscriber (or a layer switch) wants a key frame. True: send a PLI now. False: one went out less than the
    /// interval ago; the request is remembered.
    /// </summary>
    public bool Request(long nowMillis)
    {
        if (CanSend(nowMillis)) return Send(nowMillis);
        _pending = true;
        RequestsMerged++;
        return false;
    }

    /// <summary>A key frame arrived: remembered requests are satisfied.</summary>
    public void OnKeyframe(long nowMillis)
    {
        _pending = false;
        LastKeyframeAt = nowMillis;
    }

    /// <summary>
    /// Timer: true when a remembered request is due now (the interval passed since the last PLI and no key frame came
    /// meanwhile); it then counts as sent.
    /// </summary>
    public bool TakeDue(long nowMillis) => _pending && CanSend(nowMillis) && Send(nowMillis);

    private bool CanSend(long nowMillis) => !_sentOnce || nowMillis - _lastSentAt >= _intervalMillis;

    private bool Send(long nowMillis)
    {
        _sentOnce = true;
        _lastSentAt = nowMillis;
        _pending = false;
        RequestsSent++;
        return true;
    }
}
