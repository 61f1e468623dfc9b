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
    private readonly Random toServerRandom;
    private readonly Random toClientRandom;
    private readonly ConcurrentDictionary<IPEndPoint, Socket> upstreamSockets = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> loops = [];
    private long forwardedToServer, droppedToServer, forwardedToClient, droppedToClient;

    public LossyUdpProxy(IPEndPoint upstream, double dropFraction, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dropFraction, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dropFraction, 1);
        this.upstream = upstream;
        this.dropFraction = dropFraction;
        toServerRandom = new Random(seed);
        toClientRandom = new Random(seed + 1);
        listener = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        loops.Add(Task.Run(FromClientsAsync));
    }

    /// <summary>The port clients send to, on 127.0.0.1.</summary>
    public int Port { get; }

    public long ForwardedToServer => Interlocked.Read(ref forwardedToServer);

    public long DroppedToServer => Interlocked.Read(ref droppedToServer);

    public long ForwardedToClient => Interlocked.Read(ref forwardedToClient);

    public long DroppedToClient => Interlocked.Read(ref droppedToClient);

    /// <summary>Client addresses seen so far (one upstream socket each).</summary>
    public int Clients => upstreamSockets.Count;

    public override string ToString() =>
        $"to server: {ForwardedToServer} forwarded, {DroppedToServer} dropped; to client: {ForwardedToClient} forwarded, {DroppedToClient} dropped; {Clients} client(s)";

    private static bool Drop(Random random, double fraction)
    {
        lock (random)
        {
            return random.NextDouble() < fraction;
        }
    }

    private async Task FromClientsAsync()
    {
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await listener.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // ICMP port unreachable from an earlier send, reported on this socket
            }

            var client = (IPEndPoint)received.RemoteEndPoint;
            var socket = upstreamSockets.GetOrAdd(client, OpenUpstream);
            if (Drop(toServerRandom, dropFraction))
            {
                Interlocked.Increment(ref droppedToServer);
                continue;
            }

            try
            {
                await socket.SendToAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, upstream, stopping.Token);
                Interlocked.Increment(ref forwardedToServer);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private Socket OpenUpstream(IPEndPoint client)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        lock (loops)
        {
            loops.Add(Task.Run(() => FromServerAsync(socket, client)));
        }

        return socket;
    }

    private async Task FromServerAsync(Socket socket, IPEndPoint client)
    {
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            if (Drop(toClientRandom, dropFraction))
            {
                Interlocked.Increment(ref droppedToClient);
                continue;
            }

            try
            {
                await listener.SendToAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, client, stopping.Token);
                Interlocked.Increment(ref forwardedToClient);
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
