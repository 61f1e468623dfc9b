using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Switchboard.Turn.Allocations;

/// <summary>What became of a request for a new peer data connection.</summary>
public enum TcpReserveOutcome { Reserved, AlreadyExists, QuotaReached, Closed }

/// <summary>
/// The relayed transport address of a TCP allocation (RFC 6062 §5.1): a listening socket on a port from
/// the pool, outgoing connections to peers made from that same address (§5.2), and the allocation's
/// peer data connections. Disposing it closes the listener and every connection.
/// </summary>
public sealed class TcpRelay : IDisposable
{
    /// <summary>§5.2: the connect timeout must be at least 30 s; §5.2, §5.3: a ConnectionBind must come within 30 s.</summary>
    public const int ConnectTimeoutMilliseconds = 30_000;
    public const int BindTimeoutMilliseconds = 30_000;

    private readonly Socket _listener;
    private readonly int _maxConnections;
    private readonly Func<uint, TcpPeerConnection, bool> _register;
    private readonly Action<TcpPeerConnection> _unregister;
    private readonly Lock _sync = new();
    private readonly Dictionary<PeerEndpointKey, TcpPeerConnection> _connections = [];
    private readonly CancellationTokenSource _closing = new();
    // Taken once: a Connect that starts after Dispose reads the token of a disposed (and cancelled) source.
    private readonly CancellationToken _closingToken;
    private bool _closed;

    /// <param name="listener">A socket bound (with address reuse) to the relay address, not yet listening.</param>
    /// <param name="register">Claims a server-wide unique CONNECTION-ID for a connection; false when taken.</param>
    /// <param name="unregister">Releases a connection's CONNECTION-ID.</param>
    internal TcpRelay(Allocation allocation, Socket listener, IPEndPoint announced, int maxConnections,
        Func<uint, TcpPeerConnection, bool> register, Action<TcpPeerConnection> unregister)
    {
        Allocation = allocation;
        _listener = listener;
        _closingToken = _closing.Token;
        _maxConnections = maxConnections;
        _register = register;
        _unregister = unregister;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        Announced = announced;
    }

    public Allocation Allocation { get; }
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>What the client is told: the external address when behind NAT, with the relay's port.</summary>
    public IPEndPoint Announced { get; }

    public AddressFamily AddressFamily => LocalEndPoint.AddressFamily;

    /// <summary>Called for each peer connection accepted on the relayed address (§5.3).</summary>
    internal Action<TcpRelay, Socket>? Accepted { get; set; }

    public int ConnectionCount { get { lock (_sync) return _connections.Count; } }

    public void Start()
    {
        _listener.Listen(64);
        _ = AcceptLoopAsync();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_closing.IsCancellationRequested)
        {
            Socket peer;
            try { peer = await _listener.AcceptAsync(_closingToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) when (_closing.IsCancellationRequested) { return; }
            catch (SocketException) { continue; }
            // A peer that reset its connection already, or a failing handler, costs that connection, never the loop.
            try
            {
                peer.NoDelay = true;
                if (Accepted is { } accepted) accepted(this, peer);
                else peer.Dispose();
            }
            catch (Exception) { peer.Dispose(); }
        }
    }

    /// <summary>
    /// Adds a connection to or from <paramref name="peer"/> in the Connecting state with a fresh
    /// CONNECTION-ID; none when one with that peer exists (§5.2: 446) or the cap is reached.
    /// </summary>
    public TcpReserveOutcome TryReserve(IPEndPoint peer, out TcpPeerConnection? connection)
    {
        connection = null;
        var key = PeerEndpointKey.From(peer);
        lock (_sync)
        {
            if (_closed) return TcpReserveOutcome.Closed;
            if (_connections.ContainsKey(key)) return TcpReserveOutcome.AlreadyExists;
            if (_connections.Count >= _maxConnections) return TcpReserveOutcome.QuotaReached;
            Span<byte> random = stackalloc byte[4];
            while (connection is null)
            {
                RandomNumberGenerator.Fill(random);
                uint id = BinaryPrimitives.ReadUInt32BigEndian(random);
                if (id == 0) continue;
                var candidate = new TcpPeerConnection(this, id, peer);
                if (_register(id, candidate)) connection = candidate;
            }
            _connections[key] = connection;
            return TcpReserveOutcome.Reserved;
        }
    }

    /// <summary>
    /// Opens the outgoing TCP connection of a Connect request from the relayed transport address (§5.2).
    /// False on refusal, failure, timeout or when the allocation ends first; the connection is then closed.
    /// </summary>
    public async Task<bool> ConnectAsync(TcpPeerConnection connection)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closingToken);
        timeout.CancelAfter(ConnectTimeoutMilliseconds);
        var socket = new Socket(AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(LocalEndPoint);
            await socket.ConnectAsync(connection.Peer, timeout.Token).ConfigureAwait(false);
            socket.NoDelay = true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            socket.Dispose();
            connection.Dispose();
            return false;
        }
        if (connection.TrySetConnected(socket, Allocation.Now + BindTimeoutMilliseconds)) return true;
        socket.Dispose(); // the allocation ended meanwhile
        return false;
    }

    /// <summary>An accepted peer connection (§5.3), pending for a ConnectionBind; false when it was closed instead.</summary>
    internal bool TryAdopt(TcpPeerConnection connection, Socket socket)
    {
        if (connection.TrySetConnected(socket, Allocation.Now + BindTimeoutMilliseconds)) return true;
        socket.Dispose();
        return false;
    }

    /// <summary>§5.2, §5.3: closes pending connections whose 30 s for a ConnectionBind are over.</summary>
    public void ClosePendingBefore(long now)
    {
        List<TcpPeerConnection>? expired = null;
        lock (_sync)
        {
            foreach (var connection in _connections.Values)
                if (connection.State == TcpPeerConnectionState.Pending && connection.BindDeadline <= now)
                    (expired ??= []).Add(connection);
        }
        if (expired is null) return;
        foreach (var connection in expired) connection.Dispose();
    }

    /// <summary>Called by a connection as it closes.</summary>
    internal void Forget(TcpPeerConnection connection)
    {
        lock (_sync)
        {
            if (_connections.TryGetValue(connection.PeerKey, out var current) && current == connection)
                _connections.Remove(connection.PeerKey);
        }
        _unregister(connection);
    }

    public void Dispose()
    {
        TcpPeerConnection[] connections;
        lock (_sync)
        {
            if (_closed) return;
            _closed = true;
            connections = [.. _connections.Values];
        }
        _closing.Cancel();
        _listener.Dispose();
        foreach (var connection in connections) connection.Dispose();
        _closing.Dispose();
    }
}
