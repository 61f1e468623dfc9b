using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Switchboard.Signaling.Protocol;
using Switchboard.Signaling.Sessions;

namespace Switchboard.Signaling.Connections;

/// <summary>
/// One WebSocket: a receive loop that reads whole frames up to <c>MaxMessageBytes</c> and hands them to the hub
/// one at a time, and a send loop fed by a bounded queue, so a client that stops reading never blocks anyone: when
/// its queue is full it is disconnected (its participant may resume and get what it missed). The queue holds the
/// shared message bodies, which its participant's resume buffer also keeps (a client that falls further behind than
/// the buffer reaches is dropped, <see cref="ParticipantSession.Deliver"/>); each recipient's seq is spliced in as a
/// message is written, in a pooled buffer. <see cref="RunAsync"/> disposes it as it ends.
/// </summary>
public sealed class SignalingConnection : IDisposable
{
    const int QueueLength = 1024;
    const int ReceiveBufferBytes = 2048;

    /// <summary>The largest frame before <c>join</c> or <c>resume</c>: those, with the largest token and state, fit.</summary>
    public const int MaxMessageBytesBeforeJoin = 8192;
    static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);

    readonly WebSocket _socket;
    readonly Channel<Outgoing> _queue = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(QueueLength) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    readonly CancellationTokenSource _aborted = new();
    readonly TimeProvider _time;
    readonly long _opened;
    long _sentSeq;
    long _lastReceived;
    long _lastPingSent;
    int _closing;
    int _disposed;
    volatile bool _closeReceived;

    /// <summary>A message (with its recipient's seq, 0 for none) or, without one, the close.</summary>
    readonly record struct Outgoing(OutboundMessage? Message, long Seq, int CloseCode, string? CloseReason);

    public SignalingConnection(WebSocket socket, string requestHost, string source, TimeProvider time)
    {
        _socket = socket;
        _time = time;
        RequestHost = requestHost;
        Source = source;
        _opened = _lastReceived = _lastPingSent = time.GetTimestamp();
    }

    /// <summary>The host name the client used, for ICE server URLs.</summary>
    public string RequestHost { get; }

    /// <summary>Where the connection comes from (<see cref="ConnectionSource"/>).</summary>
    public string Source { get; }

    /// <summary>The participant this connection holds, once it has joined or resumed.</summary>
    public ParticipantSession? Session { get; set; }

    /// <summary>The client's message budget (docs/signaling.md, "Limits").</summary>
    public required MessageRateLimiter RateLimiter { get; init; }

    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    public TimeSpan SinceOpened => _time.GetElapsedTime(_opened);

    /// <summary>Since the last message began to arrive: bytes of a message that never ends do not count as life.</summary>
    public TimeSpan SinceLastReceived => _time.GetElapsedTime(Volatile.Read(ref _lastReceived));
    public TimeSpan SinceLastPing => _time.GetElapsedTime(Volatile.Read(ref _lastPingSent));

    /// <summary>The seq of the last message written to the socket (or, before any, the one its participant had when it attached).</summary>
    public long SentSeq
    {
        get => Volatile.Read(ref _sentSeq);
        set => Volatile.Write(ref _sentSeq, value);
    }

    /// <summary>
    /// Queues a text frame, with <paramref name="seq"/> spliced in unless it is 0. A full queue means the client
    /// stopped reading: the connection is dropped.
    /// </summary>
    public void Send(OutboundMessage message, long seq = 0)
    {
        if (IsClosing) return;
        if (!_queue.Writer.TryWrite(new Outgoing(message, seq, 0, null))) Abort();
    }

    public void SendPing()
    {
        Volatile.Write(ref _lastPingSent, _time.GetTimestamp());
        Send(OutboundMessage.Ping);
    }

    /// <summary>Sends <paramref name="finalMessage"/> (usually a fatal error), then closes with <paramref name="code"/>.</summary>
    public void Close(int code, string reason, OutboundMessage? finalMessage = null)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0) return;
        if (finalMessage is not null) _queue.Writer.TryWrite(new Outgoing(finalMessage, 0, 0, null));
        _queue.Writer.TryWrite(new Outgoing(null, 0, code, reason));
        _queue.Writer.TryComplete();
    }

    /// <summary>Drops the connection at once (no close handshake).</summary>
    public void Abort()
    {
        Interlocked.Exchange(ref _closing, 1);
        _queue.Writer.TryComplete();
        try { _aborted.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <summary>Runs both loops until the socket is done; <paramref name="onMessage"/> gets each text frame.</summary>
    public async Task RunAsync(int maxMessageBytes, Func<SignalingConnection, ReadOnlyMemory<byte>, bool, ValueTask> onMessage, ILogger log, CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _aborted.Token);
        var sending = SendLoopAsync(linked.Token);
        try
        {
            await ReceiveLoopAsync(maxMessageBytes, onMessage, linked.Token);
            // The client sent its close (or answered ours): answer it, let the queue drain, then tear down.
            _closeReceived = true;
            Close(CloseCodes.Normal, "");
            await sending.WaitAsync(CloseHandshakeTimeout, _time, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or TimeoutException)
        {
            log.LogDebug("Signaling connection ended: {Reason}", e.Message);
        }
        finally
        {
            Abort();
            try { await sending; } catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException) { }
            Dispose();
        }
    }

    /// <summary>Drops the connection (as <see cref="Abort"/>) and releases the socket.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Abort();
        _socket.Abort();
        _socket.Dispose();
        _aborted.Dispose();
    }

    /// <summary>
    /// Reads frames until the client's close; after the server asked to close, what still arrives is discarded. Until
    /// the connection holds a participant, frames are limited to <see cref="MaxMessageBytesBeforeJoin"/>.
    /// </summary>
    async Task ReceiveLoopAsync(int maxMessageBytesJoined, Func<SignalingConnection, ReadOnlyMemory<byte>, bool, ValueTask> onMessage, CancellationToken cancel)
    {
        var small = new byte[ReceiveBufferBytes];
        while (true)
        {
            var first = await _socket.ReceiveAsync(small.AsMemory(), cancel);
            Volatile.Write(ref _lastReceived, _time.GetTimestamp());
            if (first.MessageType == WebSocketMessageType.Close) return;
            if (first.EndOfMessage)
            {
                if (!IsClosing) await onMessage(this, small.AsMemory(0, first.Count), first.MessageType == WebSocketMessageType.Binary);
                continue;
            }
            int maxMessageBytes = Session is null ? Math.Min(maxMessageBytesJoined, MaxMessageBytesBeforeJoin) : maxMessageBytesJoined;
            // A frame longer than the small buffer: assemble it in a pooled one, up to the limit.
            var large = ArrayPool<byte>.Shared.Rent(Math.Min(maxMessageBytes + 1, 4 * ReceiveBufferBytes));
            try
            {
                small.AsSpan(0, first.Count).CopyTo(large);
                int length = first.Count;
                bool tooLarge = false;
                ValueWebSocketReceiveResult next;
                do
                {
                    if (length > maxMessageBytes && !tooLarge)
                    {
                        tooLarge = true;
                        Close(CloseCodes.MessageTooBig, "message too large",
                            TooLarge(maxMessageBytes));
                    }
                    if (tooLarge) length = 0; // discard the rest of this message
                    else if (length == large.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(maxMessageBytes + 1, large.Length * 2));
                        large.AsSpan(0, length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(large);
                        large = bigger;
                    }
                    next = await _socket.ReceiveAsync(large.AsMemory(length), cancel);
                    length += next.Count;
                } while (!next.EndOfMessage && next.MessageType != WebSocketMessageType.Close);
                if (next.MessageType == WebSocketMessageType.Close) return;
                if (length > maxMessageBytes && !tooLarge)
                    Close(CloseCodes.MessageTooBig, "message too large",
                        TooLarge(maxMessageBytes));
                else if (!IsClosing) await onMessage(this, large.AsMemory(0, length), first.MessageType == WebSocketMessageType.Binary);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(large);
            }
        }
    }

    OutboundMessage TooLarge(int maxMessageBytes) => OutboundMessage.Error(ErrorCodes.MessageTooLarge,
        (Session is null ? "before join or resume, messages are limited to " : "messages are limited to ") + $"{maxMessageBytes} bytes", fatal: true);

    async Task SendLoopAsync(CancellationToken cancel)
    {
        await foreach (var outgoing in _queue.Reader.ReadAllAsync(cancel))
        {
            if (outgoing.Message is { } message)
            {
                await SendAsync(message, outgoing.Seq, cancel);
                if (outgoing.Seq != 0) SentSeq = outgoing.Seq;
                continue;
            }
            await _socket.CloseOutputAsync((WebSocketCloseStatus)outgoing.CloseCode, outgoing.CloseReason, cancel);
            if (_closeReceived) return;
            // The receive loop ends when the client answers the close; give it a moment, then tear down.
            try { await Task.Delay(CloseHandshakeTimeout, _time, cancel); }
            catch (OperationCanceledException) { }
            Abort();
            return;
        }
    }

    async ValueTask SendAsync(OutboundMessage message, long seq, CancellationToken cancel)
    {
        if (seq == 0)
        {
            await _socket.SendAsync(message.Bytes, WebSocketMessageType.Text, true, cancel);
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(message.MaxLengthWithSeq);
        try
        {
            int length = message.WriteWithSeq(seq, buffer);
            await _socket.SendAsync(buffer.AsMemory(0, length), WebSocketMessageType.Text, true, cancel);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
