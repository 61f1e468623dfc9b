using Org.BouncyCastle.Tls;

namespace Switchboard.Dtls;

/// <summary>
/// BouncyCastle's view of one peer's datagrams: a receive loop feeds it, sends go out through the
/// caller's socket. During the handshake BouncyCastle blocks in <see cref="Receive(Span{byte}, int)"/> on the
/// handshake thread; once established it never blocks: the loop queues a datagram and asks BouncyCastle to decrypt it
/// at once, and an empty queue ends that call with <see cref="DatagramQueueDrainedException"/>.
/// </summary>
public sealed class QueuedDatagramTransport(Action<ReadOnlySpan<byte>> send, int capacity) : DatagramTransport
{
    /// <summary>
    /// Handshake messages are fragmented to fit this, so that a certificate chain crosses any path without IP
    /// fragmentation (IPv6 minimum MTU 1280 less headers).
    /// </summary>
    public const int HandshakeDatagramLimit = 1200;

    /// <summary>Largest DTLS record: 2^14 plaintext plus 2048 of expansion plus the 13-byte header.</summary>
    public const int MaxDatagram = (1 << 14) + 2048 + 13;

    /// <summary>Longest single wait when BouncyCastle asks to wait forever; it simply asks again.</summary>
    private const int MaxWaitMillis = 1000;

    private readonly object _gate = new();
    private readonly Queue<byte[]> _queue = new();
    private ReadOnlyMemory<byte> _current;
    private bool _hasCurrent;
    private bool _established;
    private int _largestTaken;
    private bool _closed;

    /// <summary>Raised once, when BouncyCastle (close_notify, fatal alert) or the listener closes the transport.</summary>
    public event Action? Closed;

    public bool IsClosed { get { lock (_gate) return _closed; } }

    /// <summary>Datagrams dropped because the queue was full.</summary>
    public int Dropped { get; private set; }

    /// <summary>
    /// While the handshake runs, queues a copy of the datagram for it (dropped when the queue is full) and returns true.
    /// Returns false once the session is established: then the caller decrypts it through <see cref="SetCurrent"/>.
    /// </summary>
    public bool TryQueueForHandshake(ReadOnlySpan<byte> datagram)
    {
        lock (_gate)
        {
            if (_closed)
                return true;
            if (_established)
                return false;
            if (_queue.Count >= capacity)
            {
                Dropped++;
                return true;
            }
            _queue.Enqueue(datagram.ToArray());
            Monitor.Pulse(_gate);
            return true;
        }
    }

    /// <summary>Switches to non-blocking receives; datagrams still queued are handed out first.</summary>
    public void MarkEstablished()
    {
        lock (_gate)
            _established = true;
    }

    /// <summary>Offers one datagram (not copied) to the next receive; only valid until <see cref="ClearCurrent"/>.</summary>
    public void SetCurrent(ReadOnlyMemory<byte> datagram)
    {
        lock (_gate)
        {
            _current = datagram;
            _hasCurrent = true;
        }
    }

    public void ClearCurrent()
    {
        lock (_gate)
        {
            _current = default;
            _hasCurrent = false;
        }
    }

    /// <summary>A datagram is waiting (queued, or offered and not yet taken).</summary>
    public bool HasPending
    {
        get { lock (_gate) return _queue.Count > 0 || _hasCurrent; }
    }

    public int GetReceiveLimit()
    {
        lock (_gate)
        {
            // BouncyCastle allocates a buffer of this size for every receive call: once established, ask only for
            // what is there. That buffer also takes the records left over from an earlier datagram (several records
            // in one datagram), so it is never smaller than the largest datagram taken so far.
            if (_established && _queue.TryPeek(out byte[]? next))
                return Math.Max(Math.Max(next.Length, _largestTaken), 1);
            if (_established && _hasCurrent)
                return Math.Max(Math.Max(_current.Length, _largestTaken), 1);
            return MaxDatagram;
        }
    }

    public int GetSendLimit()
    {
        lock (_gate)
            return _established ? MaxDatagram : HandshakeDatagramLimit;
    }

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    public int Receive(Span<byte> buffer, int waitMillis)
    {
        lock (_gate)
        {
            long deadline = Environment.TickCount64 + (waitMillis <= 0 ? MaxWaitMillis : Math.Min(waitMillis, MaxWaitMillis));
            while (true)
            {
                while (_queue.TryDequeue(out byte[]? queued))
                {
                    if (queued.Length <= buffer.Length)
                    {
                        queued.CopyTo(buffer);
                        return Taken(queued.Length);
                    }
                }
                if (_hasCurrent)
                {
                    _hasCurrent = false;
                    if (_current.Length <= buffer.Length)
                    {
                        _current.Span.CopyTo(buffer);
                        return Taken(_current.Length);
                    }
                }
                if (_established)
                    throw new DatagramQueueDrainedException();
                if (_closed)
                    throw new IOException("DTLS transport closed");
                long remaining = deadline - Environment.TickCount64;
                if (remaining <= 0)
                    return -1;
                Monitor.Wait(_gate, (int)remaining);
            }
        }
    }

    /// <summary>A datagram handed to BouncyCastle (under the lock): its length, remembered for <see cref="GetReceiveLimit"/>.</summary>
    private int Taken(int length)
    {
        _largestTaken = Math.Max(_largestTaken, length);
        return length;
    }

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    public void Send(ReadOnlySpan<byte> buffer) => send(buffer);

    public void Close()
    {
        lock (_gate)
        {
            if (_closed)
                return;
            _closed = true;
            _queue.Clear();
            Monitor.PulseAll(_gate);
        }
        Closed?.Invoke();
    }
}
