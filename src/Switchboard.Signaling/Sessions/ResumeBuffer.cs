namespace Switchboard.Signaling.Sessions;

/// <summary>
/// The last messages sent to a participant, by seq, so that a resuming client gets what it missed (docs/signaling.md,
/// "Sequence numbers and resume"). It keeps references to the shared message bodies, never copies. The oldest
/// messages go when it holds more than its count or its bytes, or while the node's <see cref="ResumeBudget"/> is
/// exceeded; the queue grows only as far as it is used, so an idle participant costs little.
/// </summary>
public sealed class ResumeBuffer(int maxMessages, int maxBytes, ResumeBudget budget)
{
    readonly Queue<OutboundMessage> _messages = new();
    long _lastSeq;
    long _bytes;

    public long LastSeq => _lastSeq;

    /// <summary>The seq of the oldest message kept (<see cref="LastSeq"/> + 1 when none is).</summary>
    public long FirstKeptSeq => _lastSeq - _messages.Count + 1;

    /// <summary>Which limit last made the buffer let its oldest message go; null while nothing was let go.</summary>
    public ResumeLimit? LastDroppedBy { get; private set; }

    /// <summary>Keeps the message with the next seq and returns that seq.</summary>
    public long Append(OutboundMessage message)
    {
        _lastSeq++;
        _messages.Enqueue(message);
        _bytes += message.Length;
        budget.Keep(message);
        while (_messages.Count > 0 && Exceeded() is { } limit)
        {
            var oldest = _messages.Dequeue();
            _bytes -= oldest.Length;
            budget.LetGo(oldest);
            LastDroppedBy = limit;
        }
        return _lastSeq;
    }

    ResumeLimit? Exceeded() =>
        _messages.Count > maxMessages ? ResumeLimit.Messages
        : _bytes > maxBytes ? ResumeLimit.Bytes
        : budget.IsExceeded ? ResumeLimit.ServerBytes
        : null;

    /// <summary>The messages after <paramref name="lastSeq"/> in order; false when some are no longer kept or it is ahead of us.</summary>
    public bool TryGetAfter(long lastSeq, List<(long Seq, OutboundMessage Message)> into)
    {
        if (lastSeq > _lastSeq || lastSeq < FirstKeptSeq - 1) return false;
        long seq = FirstKeptSeq;
        foreach (var message in _messages)
        {
            if (seq > lastSeq) into.Add((seq, message));
            seq++;
        }
        return true;
    }

    /// <summary>The participant is gone: every message is let go.</summary>
    public void Clear()
    {
        while (_messages.TryDequeue(out var message)) budget.LetGo(message);
        _bytes = 0;
    }
}
