namespace Switchboard.Protocols.Rtp;

/// <summary>
/// When each recent outgoing packet was last sent again, and how often, by its sequence number: a receiver's NACKs get a
/// packet again at most once per round trip and at most <c>maxResends</c> times in all (as libwebrtc's and mediasoup's
/// senders do), so repeated or duplicate requests cost nothing. A ring of <c>size</c> sequence numbers allocated up
/// front. Not thread-safe: the owner serializes calls.
/// </summary>
public sealed class ResendHistory
{
    private readonly ushort[] _sequences;
    private readonly long[] _lastSentAt;
    private readonly byte[] _resends;
    private readonly int _maxResends;

    public ResendHistory(int size = 1024, int maxResends = 4)
    {
        if (size <= 0 || (size & (size - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(size), size, "a power of two");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxResends);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxResends, byte.MaxValue);
        _sequences = new ushort[size];
        _lastSentAt = new long[size];
        _resends = new byte[size];
        _maxResends = maxResends;
    }

    /// <summary>
    /// True, and counted, when <paramref name="sequence"/> may be sent again now: it was not sent again within
    /// <paramref name="minIntervalMillis"/> (a round trip) and fewer than the maximum times.
    /// </summary>
    public bool TryResend(ushort sequence, long nowMillis, long minIntervalMillis)
    {
        int slot = sequence & (_sequences.Length - 1);
        if (_resends[slot] == 0 || _sequences[slot] != sequence)
        {
            (_sequences[slot], _lastSentAt[slot], _resends[slot]) = (sequence, nowMillis, 1);
            return true;
        }
        if (_resends[slot] >= _maxResends || nowMillis - _lastSentAt[slot] < minIntervalMillis) return false;
        _lastSentAt[slot] = nowMillis;
        _resends[slot]++;
        return true;
    }
}
