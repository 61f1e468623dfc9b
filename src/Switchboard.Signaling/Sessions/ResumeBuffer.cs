namespace Switchboard.Signaling.Sessions;

/// <summary>
/// The last N messages sent to a participant, by seq, so that a resuming client gets what it missed
/// (docs/signaling.md, "Sequence numbers and resume"). A ring: the oldest message goes when it is full.
/// </summary>
public sealed class ResumeBuffer(int capacity)
{
    readonly byte[][] _messages = new byte[capacity][];
    long _lastSeq;
    int _count;

    public long LastSeq => _lastSeq;

    /// <summary>Keeps the message with the next seq and returns that seq.</summary>
    public long Append(byte[] message)
    {
        _lastSeq++;
        _messages[_lastSeq % capacity] = message;
        if (_count < capacity) _count++;
        return _lastSeq;
    }

    /// <summary>The messages after <paramref name="lastSeq"/> in order; false when some are no longer kept or it is ahead of us.</summary>
    public bool TryGetAfter(long lastSeq, List<byte[]> into)
    {
        if (lastSeq > _lastSeq || lastSeq < _lastSeq - _count) return false;
        for (long seq = lastSeq + 1; seq <= _lastSeq; seq++) into.Add(_messages[seq % capacity]);
        return true;
    }
}
