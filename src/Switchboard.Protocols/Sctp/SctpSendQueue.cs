namespace Switchboard.Protocols.Sctp;

/// <summary>
/// Messages waiting for their first chunk, one queue per outgoing stream, taken round-robin between streams at
/// message boundaries so that one busy data channel does not hold the others back. A stream with a reset requested
/// (RFC 6525 §5.1.2) gives out only the messages queued before the request; the rest wait for the reset to complete.
/// </summary>
internal sealed class SctpSendQueue
{
    private readonly Dictionary<ushort, OutgoingStream> _streams = [];
    private readonly Queue<OutgoingStream> _ready = new();

    /// <summary>True when some stream may have a message to give (a blocked stream is found out by <see cref="Next"/>).</summary>
    public bool HasReady => _ready.Count > 0;

    public OutgoingStream Stream(ushort id)
    {
        if (!_streams.TryGetValue(id, out var stream)) _streams[id] = stream = new OutgoingStream(id);
        return stream;
    }

    public void Enqueue(OutgoingMessage message)
    {
        var stream = Stream(message.StreamId);
        stream.Messages.Enqueue(message);
        MakeReady(stream);
    }

    /// <summary>The next message to send, round-robin; null when none may go now.</summary>
    public OutgoingMessage? Next()
    {
        for (int tries = _ready.Count; tries > 0 && _ready.TryDequeue(out var stream); tries--)
        {
            stream.Ready = false;
            if (stream.Messages.Count == 0 || stream.IsBlocked) continue;
            var message = stream.Messages.Dequeue();
            if (stream.ResetRequested) stream.MessagesBeforeReset--;
            MakeReady(stream);
            return message;
        }
        return null;
    }

    /// <summary>Marks the stream for a reset after the messages already queued; false when one is already pending.</summary>
    public bool RequestReset(ushort id)
    {
        var stream = Stream(id);
        if (stream.ResetRequested) return false;
        stream.ResetRequested = true;
        stream.MessagesBeforeReset = stream.Messages.Count;
        return true;
    }

    /// <summary>The reset completed (or failed): the stream's later messages may go, numbered from <paramref name="nextSsn"/>.</summary>
    public void EndReset(ushort id, bool succeeded)
    {
        var stream = Stream(id);
        stream.ResetRequested = false;
        stream.MessagesBeforeReset = 0;
        if (succeeded) stream.NextSsn = 0;
        MakeReady(stream);
    }

    private void MakeReady(OutgoingStream stream)
    {
        if (stream.Ready || stream.Messages.Count == 0 || stream.IsBlocked) return;
        stream.Ready = true;
        _ready.Enqueue(stream);
    }

    internal sealed class OutgoingStream(ushort id)
    {
        public ushort Id { get; } = id;
        public ushort NextSsn { get; set; }
        public Queue<OutgoingMessage> Messages { get; } = new();
        public bool Ready { get; set; }
        public bool ResetRequested { get; set; }
        public int MessagesBeforeReset { get; set; }
        public bool IsBlocked => ResetRequested && MessagesBeforeReset == 0;
    }
}
