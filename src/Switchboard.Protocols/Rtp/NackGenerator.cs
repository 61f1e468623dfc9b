namespace Switchboard.Protocols.Rtp;

/// <summary>
/// The sequence numbers the server is missing from one publisher stream, and when to ask for each again with a
/// generic NACK (RFC 4585 §6.2.1): a missing packet is due at once, then every round trip (at least 20 ms), and is
/// given up after the last of its retries. Missing numbers are kept oldest first, in a ring allocated up front; when
/// it is full the oldest is dropped. Not thread-safe: the owner serializes calls.
/// </summary>
public sealed class NackGenerator
{
    private const long MinRetryIntervalMillis = 20;

    private readonly int _maxRetries;
    private readonly ushort[] _sequences;
    private readonly long[] _dueAt;
    private readonly int[] _asked;
    private int _head;
    private bool _started;
    private ushort _highest;

    public NackGenerator(int maxMissing = 256, int maxRetries = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMissing);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRetries);
        _maxRetries = maxRetries;
        _sequences = new ushort[maxMissing];
        _dueAt = new long[maxMissing];
        _asked = new int[maxMissing];
    }

    public int MissingCount { get; private set; }

    /// <summary>
    /// A packet (or its retransmission) arrived: it is no longer missing. A forward gap adds the numbers skipped; a gap
    /// of more than the maximum missing count clears the list instead (too late to ask for any of it).
    /// </summary>
    public void OnPacket(ushort sequenceNumber, long nowMillis)
    {
        if (!_started)
        {
            _started = true;
            _highest = sequenceNumber;
            return;
        }
        int delta = (short)(sequenceNumber - _highest);
        if (delta > 0)
        {
            if (delta - 1 > _sequences.Length) MissingCount = 0;
            else
                for (ushort missing = (ushort)(_highest + 1); missing != sequenceNumber; missing++) Add(missing, nowMillis);
            _highest = sequenceNumber;
        }
        else if (delta < 0)
        {
            for (int i = 0; i < MissingCount; i++)
            {
                if (_sequences[Slot(i)] != sequenceNumber) continue;
                RemoveAt(i);
                return;
            }
        }
    }

    /// <summary>
    /// Writes the sequence numbers to NACK now, oldest first (the order <c>GenericNack.Write</c> wants): each missing one
    /// at once, then again every max(<paramref name="rttMillis"/>, 20) ms, at most the maximum retries in all.
    /// </summary>
    /// <returns>How many were written; those that did not fit in <paramref name="output"/> stay due.</returns>
    public int CollectDue(long nowMillis, long rttMillis, Span<ushort> output)
    {
        long interval = Math.Max(rttMillis, MinRetryIntervalMillis);
        int written = 0, kept = 0;
        for (int i = 0; i < MissingCount; i++)
        {
            int slot = Slot(i);
            if (_dueAt[slot] <= nowMillis)
            {
                if (_asked[slot] == _maxRetries) continue; // given up: the last ask went unanswered too
                if (written < output.Length)
                {
                    output[written++] = _sequences[slot];
                    _asked[slot]++;
                    _dueAt[slot] = nowMillis + interval;
                }
            }
            Move(slot, Slot(kept++));
        }
        MissingCount = kept;
        return written;
    }

    private void Add(ushort sequenceNumber, long nowMillis)
    {
        if (MissingCount == _sequences.Length) RemoveAt(0);
        int slot = Slot(MissingCount++);
        _sequences[slot] = sequenceNumber;
        _dueAt[slot] = nowMillis;
        _asked[slot] = 0;
    }

    private void RemoveAt(int index)
    {
        if (index == 0)
            _head = Slot(1);
        else
            for (int i = index; i < MissingCount - 1; i++) Move(Slot(i + 1), Slot(i));
        MissingCount--;
    }

    private void Move(int from, int to)
    {
        _sequences[to] = _sequences[from];
        _dueAt[to] = _dueAt[from];
        _asked[to] = _asked[from];
    }

    private int Slot(int index) => (_head + index) % _sequences.Length;
}
