using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>
/// A UDP impairment proxy on 127.0.0.1 (the kernel here has no netem): datagrams from a client to <see cref="Port"/> go
/// to the upstream server from a socket of their own per client address, answers go back the same way, and a fixed
/// fraction of datagrams is dropped in each direction, chosen by a seeded <see cref="Random"/> so that a run can be
/// repeated. Counts what it forwarded and dropped.
/// </summary>
public sealed class LossyUdpProxy : IAsyncDisposable
{
    private readonly Socket listener;
    private readonly IPEndPoint upstream;
    private readonly double dropFraction;
    private readonly ConcurrentDictionary<IPEndPoint, Socket> upstreamSockets = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> loops = [];

    public LossyUdpProxy(IPEndPoint upstream, double dropFraction, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dropFraction, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dropFraction, 1);
        this.upstream = upstream;
        this.dropFraction = dropFraction;
        toServer = new Direction(seed);
        toClient = new Direction(seed + 1);
        listener = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        loops.Add(Task.Run(FromClientsAsync));
    }

    /// <summary>The port clients send to, on 127.0.0.1.</summary>
    public int Port { get; }

    public long ForwardedToServer => Interlocked.Read(ref toServer.Forwarded);

    public long DroppedToServer => Interlocked.Read(ref toServer.Dropped);

    public long ForwardedToClient => Interlocked.Read(ref toClient.Forwarded);

    public long DroppedToClient => Interlocked.Read(ref toClient.Dropped);

    /// <summary>Client addresses seen so far (one upstream socket each).</summary>
    public int Clients => upstreamSockets.Count;

    public override string ToString() =>
        $"to server: {ForwardedToServer} forwarded, {DroppedToServer} dropped; to client: {ForwardedToClient} forwarded, {DroppedToClient} dropped; {Clients} client(s)";

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

    private readonly Direction toServer, toClient;

    private Task FromClientsAsync() =>
        RelayAsync(listener, toServer, client => (upstreamSockets.GetOrAdd(client, OpenUpstream), upstream));

    private Socket OpenUpstream(IPEndPoint client)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        lock (loops)
        {
            loops.Add(Task.Run(() => RelayAsync(socket, toClient, _ => (listener, client))));
        }

        return socket;
    }

    /// <summary>Receives on <paramref name="from"/> until stopped and forwards each datagram along <paramref name="route"/> (sender -> socket and destination).</summary>
    private async Task RelayAsync(Socket from, Direction direction, Func<IPEndPoint, (Socket Socket, IPEndPoint Destination)> route)
    {
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await from.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping.Token);
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
            if (direction.Drop(dropFraction))
            {
                Interlocked.Increment(ref direction.Dropped);
                continue;
            }

            try
            {
                await socket.SendToAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, destination, stopping.Token);
                Interlocked.Increment(ref direction.Forwarded);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Dispose();
        foreach (var socket in upstreamSockets.Values) socket.Dispose();
        Task[] running;
        lock (loops)
        {
            running = [.. loops];
        }

        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
        stopping.Dispose();
    }
}
