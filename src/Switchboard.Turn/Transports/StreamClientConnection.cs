using System.Net;

namespace Switchboard.Turn.Transports;

/// <summary>
/// A TCP or TLS client connection. What is sent to it goes through a bounded <see cref="StreamSendQueue"/>, because relay
/// loops and requests both send and neither may wait for the client; one that stops reading is dropped. It also keeps
/// the connection's two deadlines: a message begun must be whole within the message timeout, and a connection without
/// an allocation (since it was accepted or since its allocation ended) is closed after the allocation timeout.
/// </summary>
internal sealed class StreamClientConnection : ClientConnection
{
    private const long None = long.MaxValue;

    private readonly StreamListener _listener;
    private readonly Stream _stream;
    private readonly StreamSendQueue _queue;
    private readonly Lock _deadlineSync = new();
    private CancellationTokenSource? _deadline;
    private TimeSpan _allocateWithin;
    private TimeSpan _messageTimeout;
    private long _messageDeadline = None;
    private long _allocationDeadline = None;
    private volatile bool _closed;

    public StreamClientConnection(StreamListener listener, ClientTransport transport, IPEndPoint remote, IPEndPoint local, Stream stream,
        int sendQueueBytes)
        : base(transport, remote, local)
    {
        _listener = listener;
        _stream = stream;
        _queue = new StreamSendQueue(stream, sendQueueBytes, writePerMessage: transport == ClientTransport.Tls);
    }

    /// <summary>Set by the handler to take the raw stream over after the current message (RFC 6062 data connections).</summary>
    public Func<Stream, byte[], Task>? HandOver { get; set; }

    public override void Send(ReadOnlySpan<byte> message)
    {
        if (_closed || _queue.TryEnqueue(message) != EnqueueOutcome.Full) return;
        _listener.Closed("send_queue_full");
        _listener.LogDropped(this);
        Close();
    }

    /// <summary>Takes no more messages and lets the queued ones go out, for up to <paramref name="timeout"/>.</summary>
    public Task FlushAsync(TimeSpan timeout) => _queue.CompleteAsync(timeout);

    public override void Close()
    {
        _closed = true;
        _stream.Dispose();
    }

    /// <summary>Arms the deadlines on <paramref name="deadline"/>, which the read loop waits with: the allocation deadline runs from now.</summary>
    internal void StartDeadlines(CancellationTokenSource deadline, TimeSpan allocateWithin, TimeSpan messageTimeout)
    {
        lock (_deadlineSync)
        {
            _deadline = deadline;
            _allocateWithin = allocateWithin;
            _messageTimeout = messageTimeout;
            _allocationDeadline = Allocation is null ? Environment.TickCount64 + (long)allocateWithin.TotalMilliseconds : None;
            Arm();
        }
    }

    /// <summary>
    /// After a read: <paramref name="partial"/> when bytes of an unfinished message are buffered, <paramref name="newMessage"/>
    /// when a message was completed in this read (so the unfinished one began in it too).
    /// </summary>
    internal void AfterRead(bool partial, bool newMessage)
    {
        lock (_deadlineSync)
        {
            long now = Environment.TickCount64;
            long message = !partial ? None
                : newMessage || _messageDeadline == None ? now + (long)_messageTimeout.TotalMilliseconds
                : _messageDeadline;
            long allocation = Allocation is not null ? None
                : _allocationDeadline == None ? now + (long)_allocateWithin.TotalMilliseconds
                : _allocationDeadline;
            if (message == _messageDeadline && allocation == _allocationDeadline) return;
            _messageDeadline = message;
            _allocationDeadline = allocation;
            Arm();
        }
    }

    /// <summary>The connection is a data connection now (RFC 6062): neither deadline applies.</summary>
    internal void StopDeadlines()
    {
        lock (_deadlineSync)
        {
            _messageDeadline = None;
            _allocationDeadline = None;
            Arm();
        }
    }

    /// <summary>Which deadline ended the connection: "message_timeout" or "no_allocation".</summary>
    internal string ExpiredDeadline()
    {
        lock (_deadlineSync) return Environment.TickCount64 >= _messageDeadline ? "message_timeout" : "no_allocation";
    }

    protected internal override void OnAllocationEnded()
    {
        lock (_deadlineSync)
        {
            if (_deadline is null) return;
            _allocationDeadline = Environment.TickCount64 + (long)_allocateWithin.TotalMilliseconds;
            Arm();
        }
    }

    private void Arm()
    {
        if (_deadline is null) return;
        long next = Math.Min(_messageDeadline, _allocationDeadline);
        try
        {
            _deadline.CancelAfter(next == None ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Math.Max(1, next - Environment.TickCount64)));
        }
        catch (ObjectDisposedException) { } // the read loop has ended
    }
}
