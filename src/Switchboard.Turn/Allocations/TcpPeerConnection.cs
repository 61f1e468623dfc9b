using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Turn.Allocations;

/// <summary>Where a peer data connection is in its life (RFC 6062 §5.2-§5.4).</summary>
public enum TcpPeerConnectionState { Connecting, Pending, Bound, Closed }

/// <summary>
/// A peer data connection of a TCP allocation (RFC 6062 §3): made by a Connect request or accepted on
/// the relayed transport address, named by its CONNECTION-ID, waiting up to 30 s for a ConnectionBind,
/// then spliced byte for byte with the client data connection until either side closes. Until it is
/// bound nothing is read from the peer, so the kernel's socket buffer holds what the peer sends (§5.3).
/// </summary>
public sealed class TcpPeerConnection : IDisposable
{
    private const int BufferSize = 16 * 1024;

    private readonly Lock _sync = new();
    private readonly TcpRelay _relay;
    private Socket? _socket;
    private Stream? _client;
    private TcpPeerConnectionState _state = TcpPeerConnectionState.Connecting;

    internal TcpPeerConnection(TcpRelay relay, uint id, IPEndPoint peer)
    {
        _relay = relay;
        Id = id;
        Peer = peer;
        PeerKey = PeerEndpointKey.From(peer);
    }

    /// <summary>The CONNECTION-ID (RFC 6062 §6.2.1), unique across the server while the connection lives.</summary>
    public uint Id { get; }

    public IPEndPoint Peer { get; }
    public PeerEndpointKey PeerKey { get; }
    public Allocation Allocation => _relay.Allocation;

    /// <summary>When a pending connection is closed unless bound (Unix milliseconds).</summary>
    public long BindDeadline { get; private set; }

    public TcpPeerConnectionState State { get { lock (_sync) return _state; } }

    /// <summary>The peer's TCP connection is up: the connection waits for its ConnectionBind until <paramref name="deadline"/>.</summary>
    internal bool TrySetConnected(Socket socket, long deadline)
    {
        lock (_sync)
        {
            if (_state != TcpPeerConnectionState.Connecting) return false;
            _socket = socket;
            BindDeadline = deadline;
            _state = TcpPeerConnectionState.Pending;
            return true;
        }
    }

    /// <summary>Claims a pending connection for a ConnectionBind (§5.4); false when it is not pending.</summary>
    public bool TryBind()
    {
        lock (_sync)
        {
            if (_state != TcpPeerConnectionState.Pending) return false;
            _state = TcpPeerConnectionState.Bound;
            return true;
        }
    }

    /// <summary>
    /// Relays raw bytes between the client data connection and the peer (§5.4), starting with
    /// <paramref name="leftover"/>, what the client sent right behind its ConnectionBind. Returns when
    /// both directions have stopped; the first side to close or fail closes the other.
    /// </summary>
    public async Task SpliceAsync(Stream client, byte[] leftover)
    {
        Socket? socket;
        lock (_sync)
        {
            socket = _state == TcpPeerConnectionState.Bound ? _socket : null;
            if (socket is not null) _client = client;
        }
        if (socket is null)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            return;
        }
        var peer = new NetworkStream(socket, ownsSocket: false);
        var toPeer = PumpAsync(client, peer, leftover, toPeer: true);
        var toClient = PumpAsync(peer, client, [], toPeer: false);
        await Task.WhenAny(toPeer, toClient).ConfigureAwait(false);
        Dispose();
        await Task.WhenAll(toPeer, toClient).ConfigureAwait(false);
        await peer.DisposeAsync().ConfigureAwait(false);
    }

    private async Task PumpAsync(Stream from, Stream to, byte[] first, bool toPeer)
    {
        var allocation = Allocation;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            if (first.Length > 0) await RelayAsync(first.AsMemory()).ConfigureAwait(false);
            while (true)
            {
                int read = await from.ReadAsync(buffer.AsMemory(0, BufferSize)).ConfigureAwait(false);
                if (read == 0) return;
                await RelayAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // the other side closed, or the allocation ended
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        async Task RelayAsync(ReadOnlyMemory<byte> data)
        {
            int delay = toPeer ? allocation.PaceToPeer(data.Length) : allocation.PaceToClient(data.Length);
            if (delay > 0) await Task.Delay(TimeSpan.FromMilliseconds(delay), allocation.Time).ConfigureAwait(false);
            await to.WriteAsync(data).ConfigureAwait(false);
            if (toPeer) allocation.RelayedToPeer(data.Length);
            else allocation.RelayedToClient(data.Length);
        }
    }

    /// <summary>Closes the peer connection and the client data connection, and forgets the CONNECTION-ID.</summary>
    public void Dispose()
    {
        Socket? socket;
        Stream? client;
        lock (_sync)
        {
            if (_state == TcpPeerConnectionState.Closed) return;
            _state = TcpPeerConnectionState.Closed;
            socket = _socket;
            client = _client;
        }
        socket?.Dispose();
        client?.Dispose();
        _relay.Forget(this);
    }
}
