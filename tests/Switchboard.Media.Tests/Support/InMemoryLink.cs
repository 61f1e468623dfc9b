using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Switchboard.Protocols.Ice;

namespace Switchboard.Media.Tests.Support;

/// <summary>True for a datagram a rule of the link applies to.</summary>
public delegate bool DatagramPredicate(ReadOnlySpan<byte> datagram);

/// <summary>
/// What a link does to datagrams: each is lost, duplicated or held back (so that later ones overtake it) with these
/// probabilities; those <see cref="Lost"/> says to lose are lost.
/// </summary>
public sealed record LinkImpairment(double Loss = 0, double Duplication = 0, double Reordering = 0, int MaxDelayMillis = 15,
    DatagramPredicate? Lost = null)
{
    public static readonly LinkImpairment None = new();
}

/// <summary>
/// Two datagram endpoints joined in memory. A send copies the datagram and returns at once; each direction delivers on
/// a thread of its own, so a receive handler that sends (a DTLS retransmission, a STUN response) never re-enters the
/// sender or the other handler synchronously. Loss, duplication and reordering are drawn from one seeded
/// <see cref="Random"/>; delivery order still depends on thread timing, as on a real network.
/// </summary>
public sealed class InMemoryLink : IDisposable
{
    private readonly object _idleGate = new();
    private int _inFlight;
    private volatile LinkImpairment _impairment;

    public InMemoryLink(int seed, LinkImpairment? impairment = null, string addressA = "192.0.2.1:3478", string addressB = "198.51.100.20:50000")
    {
        _impairment = impairment ?? LinkImpairment.None;
        A = new LinkEnd(this, IPEndPoint.Parse(addressA), new Random(seed));
        B = new LinkEnd(this, IPEndPoint.Parse(addressB), new Random(~seed));
        A.Peer = B;
        B.Peer = A;
    }

    public LinkEnd A { get; }

    public LinkEnd B { get; }

    /// <summary>Applies to datagrams sent from now on.</summary>
    public LinkImpairment Impairment
    {
        get => _impairment;
        set => _impairment = value;
    }

    /// <summary>Called for each datagram sent, with what the link did to it (for diagnosing a failing test).</summary>
    public Action<LinkEnd, byte[], string>? Trace { get; set; }

    /// <summary>Exceptions thrown by receive handlers (a test asserts there are none).</summary>
    public ConcurrentQueue<Exception> HandlerFaults { get; } = new();

    /// <summary>Waits until no datagram is queued, delayed or being handled, in either direction.</summary>
    public bool WaitIdle(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_idleGate)
        {
            while (_inFlight > 0)
            {
                long remaining = deadline - Environment.TickCount64;
                if (remaining <= 0) return false;
                Monitor.Wait(_idleGate, (int)remaining);
            }
            return true;
        }
    }

    public void Dispose()
    {
        A.Stop();
        B.Stop();
    }

    /// <summary>What happens to one datagram; <paramref name="random"/> is the sending end's, so each direction draws its own sequence.</summary>
    internal (bool Drop, long DelayTicks, long? DuplicateDelayTicks) Decide(Random random, ReadOnlySpan<byte> datagram)
    {
        LinkImpairment impairment = _impairment;
        if (impairment.Lost?.Invoke(datagram) == true) return (true, 0, null);
        lock (random)
        {
            if (impairment.Loss > 0 && random.NextDouble() < impairment.Loss) return (true, 0, null);
            long delay = impairment.Reordering > 0 && random.NextDouble() < impairment.Reordering
                ? MillisToTicks(1 + random.Next(impairment.MaxDelayMillis)) : 0;
            long? duplicate = impairment.Duplication > 0 && random.NextDouble() < impairment.Duplication
                ? MillisToTicks(random.Next(impairment.MaxDelayMillis + 1)) : null;
            return (false, delay, duplicate);
        }
    }

    private static long MillisToTicks(int millis) => millis * Stopwatch.Frequency / 1000;

    internal void AddInFlight(int count)
    {
        lock (_idleGate)
        {
            _inFlight += count;
            if (_inFlight == 0) Monitor.PulseAll(_idleGate);
        }
    }
}

/// <summary>One end of an <see cref="InMemoryLink"/>: sends to the other end; its handler receives what the other end sent.</summary>
public sealed class LinkEnd : IDatagramEnd
{
    private readonly InMemoryLink _link;
    private readonly Random _random;
    private readonly object _gate = new();
    private readonly PriorityQueue<byte[], (long Due, long Order)> _incoming = new();
    private readonly Thread _deliveryThread;
    private readonly ConcurrentDictionary<MultiplexedPacketKind, int> _sent = new(), _dropped = new(), _duplicated = new();
    private long _order;
    private bool _stopped;

    internal LinkEnd(InMemoryLink link, IPEndPoint address, Random random)
    {
        _link = link;
        _random = random;
        Address = address;
        _deliveryThread = new Thread(DeliveryLoop) { IsBackground = true, Name = $"link delivery to {address}" };
        _deliveryThread.Start();
    }

    /// <summary>This end's transport address, which the other end sees as the source of each datagram.</summary>
    public IPEndPoint Address { get; }

    internal LinkEnd Peer { get; set; } = null!;

    /// <summary>Called on this end's delivery thread with the source address and a datagram the other end sent.</summary>
    public Action<IPEndPoint, byte[]>? Receive { get; set; }

    /// <summary>Datagrams this end sent, by kind (RFC 7983 first byte).</summary>
    public int Sent(MultiplexedPacketKind kind) => _sent.GetValueOrDefault(kind);

    /// <summary>Datagrams this end sent that the link lost.</summary>
    public int Dropped(MultiplexedPacketKind kind) => _dropped.GetValueOrDefault(kind);

    /// <summary>Datagrams this end sent that the link delivered twice.</summary>
    public int Duplicated(MultiplexedPacketKind kind) => _duplicated.GetValueOrDefault(kind);

    public int DroppedTotal => _dropped.Values.Sum();

    /// <summary>Sends a copy of <paramref name="datagram"/> to the other end; never blocks and never calls a handler.</summary>
    public void Send(ReadOnlySpan<byte> datagram)
    {
        MultiplexedPacketKind kind = MultiplexedPacket.Classify(datagram);
        _sent.AddOrUpdate(kind, 1, (_, n) => n + 1);
        (bool drop, long delay, long? duplicateDelay) = _link.Decide(_random, datagram);
        _link.Trace?.Invoke(this, datagram.ToArray(), drop ? "dropped" : delay > 0 ? $"delayed {delay * 1000 / Stopwatch.Frequency} ms" : duplicateDelay is null ? "" : "duplicated");
        if (drop)
        {
            _dropped.AddOrUpdate(kind, 1, (_, n) => n + 1);
            return;
        }
        byte[] copy = datagram.ToArray();
        Peer.Enqueue(copy, delay);
        if (duplicateDelay is long again)
        {
            _duplicated.AddOrUpdate(kind, 1, (_, n) => n + 1);
            Peer.Enqueue(copy.ToArray(), again);
        }
    }

    private void Enqueue(byte[] datagram, long delayTicks)
    {
        lock (_gate)
        {
            if (_stopped) return;
            _link.AddInFlight(1);
            _incoming.Enqueue(datagram, (Stopwatch.GetTimestamp() + delayTicks, _order++));
            Monitor.Pulse(_gate);
        }
    }

    internal void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
            int abandoned = _incoming.Count;
            _incoming.Clear();
            if (abandoned > 0) _link.AddInFlight(-abandoned);
            Monitor.PulseAll(_gate);
        }
        if (Thread.CurrentThread != _deliveryThread) _deliveryThread.Join(TimeSpan.FromSeconds(5));
    }

    private void DeliveryLoop()
    {
        while (true)
        {
            byte[] datagram;
            lock (_gate)
            {
                while (true)
                {
                    if (_stopped) return;
                    if (_incoming.TryPeek(out _, out (long Due, long Order) key))
                    {
                        long wait = (key.Due - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
                        if (wait <= 0)
                        {
                            datagram = _incoming.Dequeue();
                            break;
                        }
                        Monitor.Wait(_gate, (int)wait);
                    }
                    else
                    {
                        Monitor.Wait(_gate);
                    }
                }
            }
            try
            {
                Receive?.Invoke(Peer.Address, datagram);
            }
            catch (Exception e)
            {
                _link.HandlerFaults.Enqueue(e);
            }
            finally
            {
                _link.AddInFlight(-1);
            }
        }
    }
}
