using System.Buffers;
using System.IO.Pipelines;

namespace Switchboard.Turn.Transports;

/// <summary>What became of a message handed to a <see cref="StreamSendQueue"/>.</summary>
internal enum EnqueueOutcome { Queued, Full, Closed }

/// <summary>
/// What the server sends on one TCP or TLS connection. Messages are copied into a pipe and written by a loop of the
/// queue's own, so a relay loop or a request never waits for the client; small messages queued together go out in one
/// write. The pipe holds at most <c>maxBytes</c> that the client has not taken: a client that stops reading fills it.
/// </summary>
internal sealed class StreamSendQueue
{
    private readonly Pipe _pipe;
    private readonly Stream _stream;
    private readonly Lock _sync = new();
    private readonly Task _drain;
    private readonly bool _writePerMessage;
    private bool _completed;

    /// <param name="writePerMessage">
    /// Write each message on its own (one TLS record each) rather than all that is queued at once: coturn's
    /// turnutils_uclient reads one message per TLS record and loses the others of a record.
    /// </param>
    public StreamSendQueue(Stream stream, int maxBytes, bool writePerMessage)
    {
        _stream = stream;
        _writePerMessage = writePerMessage;
        _pipe = new Pipe(new PipeOptions(pauseWriterThreshold: maxBytes, resumeWriterThreshold: maxBytes / 2,
            minimumSegmentSize: 4096, useSynchronizationContext: false));
        _drain = DrainAsync();
    }

    /// <summary>Queues one message whole, or not at all once the queue is full or closed.</summary>
    public EnqueueOutcome TryEnqueue(ReadOnlySpan<byte> message)
    {
        lock (_sync)
        {
            if (_completed) return EnqueueOutcome.Closed;
            _pipe.Writer.Write(message);
            var flush = _pipe.Writer.FlushAsync();
            if (flush.IsCompleted && !flush.Result.IsCompleted) return EnqueueOutcome.Queued;
            // Past the threshold (the flush waits for the client) or the writing loop has ended: no more.
            bool full = !flush.IsCompleted;
            _completed = true;
            _pipe.Writer.Complete();
            return full ? EnqueueOutcome.Full : EnqueueOutcome.Closed;
        }
    }

    private async Task WriteWholeAsync(ReadOnlySequence<byte> message)
    {
        if (message.IsSingleSegment)
        {
            await _stream.WriteAsync(message.First).ConfigureAwait(false);
            return;
        }
        var rented = ArrayPool<byte>.Shared.Rent((int)message.Length);
        try
        {
            message.CopyTo(rented);
            await _stream.WriteAsync(rented.AsMemory(0, (int)message.Length)).ConfigureAwait(false);
        }
        finally { ArrayPool<byte>.Shared.Return(rented); }
    }

    /// <summary>Takes no more messages and waits, up to <paramref name="timeout"/>, for the queued ones to be written.</summary>
    public async Task CompleteAsync(TimeSpan timeout)
    {
        lock (_sync)
        {
            if (!_completed)
            {
                _completed = true;
                _pipe.Writer.Complete();
            }
        }
        try { await _drain.WaitAsync(timeout).ConfigureAwait(false); }
        catch (TimeoutException) { }
    }

    private async Task DrainAsync()
    {
        var reader = _pipe.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                if (_writePerMessage)
                {
                    // Only whole messages are ever queued, so the buffer splits into them exactly.
                    while (StreamFraming.TryReadMessage(ref buffer, out var message)) await WriteWholeAsync(message).ConfigureAwait(false);
                }
                else
                {
                    foreach (var segment in buffer) await _stream.WriteAsync(segment).ConfigureAwait(false);
                    buffer = buffer.Slice(buffer.End);
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) return;
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException or InvalidOperationException)
        {
            // The connection is closing or closed; whoever closes it reports why.
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }
}
