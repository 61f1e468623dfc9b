namespace Switchboard.Signaling.Sessions;

/// <summary>
/// The last N messages sent to a participant, by seq, so that a resuming client gets what it missed
/// (docs/signaling.md, "Sequence numbers and resume"). The oldest message goes when it is full; the queue grows
/// only as far as it is used, so an idle participant costs little.
/// </summary>
public sealed class ResumeBuffer(int capacity)
{
    readonly Queue<byte[]> _messages = new();
    long _lastSeq;

    public long LastSeq => _lastSeq;

    /// <summary>Keeps the message with the next seq and returns that seq.</summary>
    public long Append(byte[] message)
    {
        _lastSeq++;
        _messages.Enqueue(message);
        if (_messages.Count > capacity) _messages.Dequeue();
        return _lastSeq;
    }

    /// <summary>The messages after <paramref name="lastSeq"/> in order; false when some are no longer kept or it is ahead of us.</summary>
    public bool TryGetAfter(long lastSeq, List<byte[]> into)
    {
        long firstKept = _lastSeq - _messages.Count + 1;
        if (lastSeq > _lastSeq || lastSeq < firstKept - 1) return false;
        long seq = firstKept;
        foreach (var message in _messages)
        {
            if (seq++ > lastSeq) into.Add(message);
        }
        return true;
    }
}
