using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>
/// A UDP impairment proxy on 127.0.0.1 (the kernel here has no netem): datagrams from a client to <see cref="Port"/> go
/// to the upstream server from a socket of their own per client address, and answers go back the same way. A fixed
/// fraction of datagrams is dropped in each direction, chosen by a seeded <see cref="Random"/> so that a run can be
/// repeated; toward the client the path can also be a bottleneck (<see cref="LimitToClient"/>): datagrams leave at
/// most at that rate, wait in a queue, and are dropped when the queue holds more than its limit, as at a slow link's
/// router. Counts what it forwarded and dropped.
/// </summary>
public sealed class UdpImpairmentProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _upstream;
    private readonly double _dropFraction;
    private readonly ConcurrentDictionary<IPEndPoint, Socket> _upstreamSockets = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private readonly Bottleneck _toClientLink = new();

    public UdpImpairmentProxy(IPEndPoint upstream, double dropFraction, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dropFraction, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dropFraction, 1);
        _upstream = upstream;
        _dropFraction = dropFraction;
        _toServer = new Direction(seed);
        _toClient = new Direction(seed + 1);
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _loops.Add(Task.Run(FromClientsAsync));
        _loops.Add(Task.Run(() => _toClientLink.SendAsync(_stopping.Token)));
    }

    /// <summary>The port clients send to, on 127.0.0.1.</summary>
    public int Port { get; }

    public long ForwardedToServer => Interlocked.Read(ref _toServer.Forwarded);

    public long DroppedToServer => Interlocked.Read(ref _toServer.Dropped);

    public long ForwardedToClient => Interlocked.Read(ref _toClient.Forwarded);

    public long DroppedToClient => Interlocked.Read(ref _toClient.Dropped);

    /// <summary>Datagrams toward the client dropped because the bottleneck's queue was full.</summary>
    public long QueueDropsToClient => Interlocked.Read(ref _toClientLink.Dropped);

    /// <summary>Client addresses seen so far (one upstream socket each).</summary>
    public int Clients => _upstreamSockets.Count;

    /// <summary>
    /// Makes the path toward the client a bottleneck of <paramref name="bitsPerSecond"/> (0: none) whose queue holds
    /// at most <paramref name="queue"/> of sending; takes effect for the next datagram.
    /// </summary>
    public void LimitToClient(long bitsPerSecond, TimeSpan queue) => _toClientLink.Limit(bitsPerSecond, queue);

    public override string ToString() =>
        $"to server: {ForwardedToServer} forwarded, {DroppedToServer} dropped; to client: {ForwardedToClient} forwarded, {DroppedToClient} dropped, " +
        $"{QueueDropsToClient} dropped at the bottleneck; {Clients} client(s)";

    /// <summary>
    /// Answer-rewriting script for a page: the server's UDP candidate in an answer is replaced by the proxy's port
    /// before the browser sees it, and TCP candidates are dropped, so UDP through the proxy is the only way to the
    /// media server. Counts the answers it rewrote in <c>window.rewrittenAnswers</c>.
    /// </summary>
    public string BrowserScript(int mediaPort) => $$"""
        (() => {
          const setRemoteDescription = RTCPeerConnection.prototype.setRemoteDescription;
          RTCPeerConnection.prototype.setRemoteDescription = function (description, ...rest) {
            if (description?.type === 'answer' && description.sdp) {
              const lines = description.sdp.split('\r\n').flatMap((line) => {
                if (!line.startsWith('a=candidate:')) return [line];
                const parts = line.split(' ');
                if (parts[2].toLowerCase() !== 'udp') return [];
                if (parts[5] === '{{mediaPort}}') parts[5] = '{{Port}}';
                return [parts.join(' ')];
              });
              window.rewrittenAnswers = (window.rewrittenAnswers ?? 0) + 1;
              description = { type: description.type, sdp: lines.join('\r\n') };
            }
            return setRemoteDescription.call(this, description, ...rest);
          };
        })();
        """;

    /// <summary>One direction of the proxy: what arrives on this socket goes where the route says, unless dropped.</summary>
    private sealed class Direction(int seed)
    {
        private readonly Random _random = new(seed);
        public long Forwarded, Dropped;

        public bool Drop(double fraction)
        {
            lock (_random) return _random.NextDouble() < fraction;
        }
    }

    /// <summary>
    /// The queue toward the client: each datagram gets a departure time after the previous one's plus its own
    /// sending time at the limit; one loop sends them in order when due.
    /// </summary>
    private sealed class Bottleneck
    {
        private readonly Channel<Datagram> _queue = Channel.CreateUnbounded<Datagram>(new UnboundedChannelOptions { SingleReader = true });
        private readonly Lock _gate = new();
        private long _bitsPerSecond, _maxQueueTicks, _nextDeparture;
        public long Dropped;

        public void Limit(long bitsPerSecond, TimeSpan queue)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(bitsPerSecond);
            lock (_gate) (_bitsPerSecond, _maxQueueTicks) = (bitsPerSecond, (long)(queue.TotalSeconds * Stopwatch.Frequency));
        }

        /// <summary>Queues a copy of the datagram; false when the queue is full.</summary>
        public bool Enqueue(ReadOnlySpan<byte> data, Socket socket, IPEndPoint destination)
        {
            long departure;
            lock (_gate)
            {
                long now = Stopwatch.GetTimestamp();
                long start = Math.Max(now, _nextDeparture);
                if (_bitsPerSecond > 0 && start - now > _maxQueueTicks)
                {
                    Interlocked.Increment(ref Dropped);
                    return false;
                }
                long sending = _bitsPerSecond > 0 ? data.Length * 8L * Stopwatch.Frequency / _bitsPerSecond : 0;
                departure = _nextDeparture = start + sending;
            }
            return _queue.Writer.TryWrite(new Datagram(data.ToArray(), socket, destination, departure));
        }

        public async Task SendAsync(CancellationToken stopping)
        {
            try
            {
                await foreach (var datagram in _queue.Reader.ReadAllAsync(stopping))
                {
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), datagram.Departure);
                    if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait, stopping);
                    try
                    {
                        await datagram.Socket.SendToAsync(datagram.Data, SocketFlags.None, datagram.Destination, stopping);
                    }
                    catch (Exception e) when (e is SocketException or ObjectDisposedException)
                    {
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private sealed record Datagram(byte[] Data, Socket Socket, IPEndPoint Destination, long Departure);
    }

    private readonly Direction _toServer, _toClient;

    private Task FromClientsAsync() =>
        RelayAsync(_listener, _toServer, client => (_upstreamSockets.GetOrAdd(client, OpenUpstream), _upstream), bottleneck: null);

    private Socket OpenUpstream(IPEndPoint client)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        lock (_loops)
        {
            _loops.Add(Task.Run(() => RelayAsync(socket, _toClient, _ => (_listener, client), _toClientLink)));
        }

        return socket;
    }

    /// <summary>
    /// Receives on <paramref name="from"/> until stopped and forwards each datagram along <paramref name="route"/>
    /// (sender -> socket and destination), through <paramref name="bottleneck"/> if there is one.
    /// </summary>
    private async Task RelayAsync(Socket from, Direction direction, Func<IPEndPoint, (Socket Socket, IPEndPoint Destination)> route, Bottleneck? bottleneck)
    {
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await from.ReceiveFromAsync(buffer, SocketFlags.None, any, _stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // ICMP port unreachable from an earlier send, reported on this socket
            }

            var (socket, destination) = route((IPEndPoint)received.RemoteEndPoint);
            if (direction.Drop(_dropFraction))
            {
                Interlocked.Increment(ref direction.Dropped);
                continue;
            }

            if (bottleneck is not null)
            {
                if (bottleneck.Enqueue(buffer.AsSpan(0, received.ReceivedBytes), socket, destination)) Interlocked.Increment(ref direction.Forwarded);
                continue;
            }

            try
            {
                await socket.SendToAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, destination, _stopping.Token);
                Interlocked.Increment(ref direction.Forwarded);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        foreach (var socket in _upstreamSockets.Values) socket.Dispose();
        Task[] running;
        lock (_loops)
        {
            running = [.. _loops];
        }

        // The loops end with the sockets; one that fails or hangs must not fail the test's cleanup.
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }
}
