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
    private bool _completed;

    public StreamSendQueue(Stream stream, int maxBytes)
    {
        _stream = stream;
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
                foreach (var segment in result.Buffer) await _stream.WriteAsync(segment).ConfigureAwait(false);
                reader.AdvanceTo(result.Buffer.End);
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
