using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Switchboard.Media.Transport;

/// <summary>
/// The passive ICE-TCP listener (RFC 6544 §4.1): accepts connections and runs each one's read and write loops. The
/// first frame must be a connectivity check for a known peer within <see cref="FirstCheckTimeout"/>, or the
/// connection is closed; at most <see cref="MaxUnboundConnections"/> wait for theirs.
/// </summary>
internal sealed class TcpMediaListener : IDisposable
{
    public static readonly TimeSpan FirstCheckTimeout = TimeSpan.FromSeconds(10);
    public const int MaxUnboundConnections = 256;

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private int _unbound;
    private long _dropped;

    /// <summary>Packets dropped because a connection's send queue was full (a peer that stopped reading).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public TcpMediaListener(IPAddress address, int port, ILogger logger)
    {
        _logger = logger;
        _socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (address.AddressFamily == AddressFamily.InterNetworkV6) _socket.DualMode = true;
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(new IPEndPoint(address, port));
        _socket.Listen(512);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <param name="onFrame">Gets every frame; returns false to close the connection. The first frame decides whether it is bound.</param>
    /// <param name="isBound">Whether a connection's first check has bound it to a peer.</param>
    /// <param name="onClosed">Runs once when a connection ends.</param>
    public async Task RunAsync(Func<TcpMediaPath, ReadOnlyMemory<byte>, bool> onFrame, Func<TcpMediaPath, bool> isBound,
        Action<TcpMediaPath> onClosed, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                _logger.LogDebug("ICE-TCP accept: {Error}", e.SocketErrorCode);
                continue;
            }
            if (Interlocked.Increment(ref _unbound) > MaxUnboundConnections)
            {
                Interlocked.Decrement(ref _unbound);
                client.Dispose();
                continue;
            }
            client.NoDelay = true;
            _ = ServeAsync(new TcpMediaPath(client, () => Interlocked.Increment(ref _dropped)), onFrame, isBound, onClosed, stopping);
        }
    }

    private async Task ServeAsync(TcpMediaPath path, Func<TcpMediaPath, ReadOnlyMemory<byte>, bool> onFrame, Func<TcpMediaPath, bool> isBound,
        Action<TcpMediaPath> onClosed, CancellationToken stopping)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        bool counted = true;
        try
        {
            Task writing = path.WriteLoopAsync(connection.Token);
            // Unbound connections are closed after the timeout; bound ones live as long as their peer.
            _ = Task.Delay(FirstCheckTimeout, connection.Token).ContinueWith(_ => { if (!isBound(path)) path.Dispose(); },
                CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            await path.ReadLoopAsync((p, frame) =>
            {
                bool keep = onFrame(p, frame);
                if (counted && isBound(p))
                {
                    counted = false;
                    Interlocked.Decrement(ref _unbound);
                }
                return keep;
            }, connection.Token);
            connection.Cancel();
            await writing;
        }
        finally
        {
            if (counted) Interlocked.Decrement(ref _unbound);
            path.Dispose();
            onClosed(path);
        }
    }

    public void Dispose() => _socket.Dispose();
}
