using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;
using Switchboard.Turn.Allocations;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn;

/// <summary>TURN extensions for TCP allocations (RFC 6062): Connect, ConnectionBind, ConnectionAttempt.</summary>
public sealed partial class TurnServer
{
    /// <summary>Every live peer data connection by CONNECTION-ID: a ConnectionBind arrives on a connection of its own.</summary>
    private readonly ConcurrentDictionary<uint, TcpPeerConnection> _tcpConnections = new();

    /// <summary>Peer data connections of all TCP allocations, in any state.</summary>
    public int TcpConnectionCount => _tcpConnections.Count;

    /// <summary>What a response sent after an asynchronous step needs from its request.</summary>
    private sealed record DeferredReply(ClientConnection Connection, StunMessageType Type, StunTransactionId TransactionId,
        Credentials Credentials, bool Fingerprint);

    /// <summary>A TCP relay on a free port of the range (§5.1); ports that another program holds are skipped.</summary>
    private TcpRelay? CreateTcpRelay(Allocation allocation, AddressFamily family)
    {
        var local = _relayAddresses.LocalFor(family)!;
        for (int attempt = 0; attempt < 16; attempt++)
        {
            if (!TcpPorts.TryTake(false, false, out int port)) return null;
            var socket = BindTcpRelaySocket(new IPEndPoint(local, port));
            if (socket is null)
            {
                TcpPorts.Return(port);
                continue;
            }
            var announced = new IPEndPoint(_relayAddresses.AnnouncedFor(family)!, port);
            return new TcpRelay(allocation, socket, announced, _options.MaxTcpConnectionsPerAllocation,
                (id, connection) => _tcpConnections.TryAdd(id, connection),
                connection => _tcpConnections.TryRemove(new KeyValuePair<uint, TcpPeerConnection>(connection.Id, connection)))
            {
                Accepted = OnPeerConnectionAccepted,
            };
        }
        return null;
    }

    /// <summary>
    /// The relay's listening socket, with address reuse so that the outgoing connections of Connect can be
    /// bound to the same address (§5.2). On Linux that option is SO_REUSEPORT as well, which would let a
    /// listener of another program share the port unnoticed: a bind with SO_REUSEADDR alone finds those first.
    /// </summary>
    private Socket? BindTcpRelaySocket(IPEndPoint endPoint)
    {
        const int SolSocket = 1, SoReuseAddr = 2; // Linux values
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (OperatingSystem.IsLinux())
            {
                using var probe = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                probe.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
                probe.Bind(endPoint);
            }
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = false;
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endPoint);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            _logger.LogDebug("TCP relay port {Port} unavailable: {Error}", endPoint.Port, e.SocketErrorCode);
            return null;
        }
    }

    /// <summary>Connect (RFC 6062 §5.2): opens a TCP connection from the relayed address to the peer.</summary>
    private void HandleConnect(ClientConnection connection, StunMessageReader request)
    {
        var (credentials, allocation) = AuthenticateForAllocation(connection, request);
        if (allocation is null) return;
        if (allocation.TcpRelay is not { } relay) { SendError(connection, request, StunErrorCode.BadRequest, credentials, "Connect needs a TCP allocation"); return; }
        if (!request.TryGetAttribute(StunAttributeType.XorPeerAddress, out var peerValue) ||
            !StunAddress.TryDecode(peerValue, request.TransactionId, out var peer))
        {
            SendError(connection, request, StunErrorCode.BadRequest, credentials, "Missing or malformed XOR-PEER-ADDRESS");
            return;
        }
        if (!CheckPeer(connection, request, credentials!, allocation, peer.Address)) return;
        switch (relay.TryReserve(peer, out var peerConnection))
        {
            case TcpReserveOutcome.AlreadyExists:
                SendError(connection, request, StunErrorCode.ConnectionAlreadyExists, credentials);
                return;
            case TcpReserveOutcome.QuotaReached:
                Metrics.QuotaRejected("tcp_connections");
                SendError(connection, request, StunErrorCode.InsufficientCapacity, credentials, "Connection Quota Reached");
                return;
            case TcpReserveOutcome.Closed:
                SendError(connection, request, StunErrorCode.AllocationMismatch, credentials);
                return;
        }
        var reply = new DeferredReply(connection, request.Type, StunTransactionId.FromBytes(request.TransactionId), credentials!, request.HasFingerprint);
        _ = CompleteConnectAsync(relay, peerConnection!, reply);
    }

    private async Task CompleteConnectAsync(TcpRelay relay, TcpPeerConnection peerConnection, DeferredReply reply)
    {
        var allocation = relay.Allocation;
        bool connected;
        try { connected = await relay.ConnectAsync(peerConnection).ConfigureAwait(false); }
        catch (Exception e)
        {
            _logger.LogError(e, "Allocation {Id}: connecting to peer {Peer} failed", allocation.Id, peerConnection.Peer);
            peerConnection.Dispose();
            connected = false;
        }
        if (allocation.IsDisposed) return;
        if (!connected)
        {
            _logger.LogInformation("Allocation {Id}: connection to peer {Peer} failed", allocation.Id, peerConnection.Peer);
            SendDeferredError(reply, StunErrorCode.ConnectionTimeoutOrFailure);
            return;
        }
        // The peer may now open connections to the relayed address too (§5.3); a full permission table does not stop this one.
        if (!allocation.TryInstallPermissions([PeerKey.From(peerConnection.Peer.Address)], Now)) Metrics.QuotaRejected("permissions");
        _logger.LogInformation("Allocation {Id}: connection {ConnectionId} to peer {Peer}", allocation.Id, peerConnection.Id, peerConnection.Peer);
        SendConnectSuccess(reply, peerConnection.Id);
    }

    private void SendConnectSuccess(DeferredReply reply, uint connectionId)
    {
        var transactionId = reply.TransactionId;
        Span<byte> buffer = stackalloc byte[ResponseBufferSize];
        var writer = new StunMessageWriter(buffer, reply.Type.SuccessResponse, transactionId);
        writer.AddUInt32(StunAttributeType.ConnectionId, connectionId);
        Finish(ref writer, reply.Fingerprint, reply.Credentials, reply.Connection);
    }

    private void SendDeferredError(DeferredReply reply, int code)
    {
        var transactionId = reply.TransactionId;
        Span<byte> buffer = stackalloc byte[ResponseBufferSize];
        var writer = new StunMessageWriter(buffer, reply.Type.ErrorResponse, transactionId);
        writer.AddErrorCode(code);
        Finish(ref writer, reply.Fingerprint, reply.Credentials, reply.Connection);
    }

    /// <summary>
    /// A peer connected to the relayed address (§5.3): closed at once without a permission for its IP,
    /// otherwise pending with a CONNECTION-ID that a ConnectionAttempt indication tells the client.
    /// </summary>
    private void OnPeerConnectionAccepted(TcpRelay relay, Socket socket)
    {
        var allocation = relay.Allocation;
        try
        {
            var peer = (IPEndPoint)socket.RemoteEndPoint!;
            if (!allocation.HasPermission(PeerKey.From(peer.Address), Now))
            {
                Metrics.Dropped("no_permission");
                _logger.LogDebug("Allocation {Id}: connection from peer {Peer} refused, no permission", allocation.Id, peer);
                socket.Dispose();
                return;
            }
            var outcome = relay.TryReserve(peer, out var peerConnection);
            if (outcome != TcpReserveOutcome.Reserved)
            {
                if (outcome == TcpReserveOutcome.QuotaReached) Metrics.QuotaRejected("tcp_connections");
                socket.Dispose();
                return;
            }
            if (!relay.TryAdopt(peerConnection!, socket)) return;
            _logger.LogInformation("Allocation {Id}: connection {ConnectionId} from peer {Peer}", allocation.Id, peerConnection!.Id, peer);
            SendConnectionAttempt(allocation.Client, peerConnection);
        }
        catch (Exception e)
        {
            socket.Dispose();
            if (e is not (SocketException or ObjectDisposedException))
                _logger.LogError(e, "Allocation {Id}: incoming peer connection failed", allocation.Id);
        }
    }

    /// <summary>ConnectionAttempt indication (§4.4, §5.3): CONNECTION-ID and XOR-PEER-ADDRESS on the control connection.</summary>
    private void SendConnectionAttempt(ClientConnection control, TcpPeerConnection peerConnection)
    {
        var transactionId = StunTransactionId.NewRandom();
        Span<byte> buffer = stackalloc byte[ResponseBufferSize];
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.ConnectionAttempt, StunClass.Indication), transactionId);
        writer.AddUInt32(StunAttributeType.ConnectionId, peerConnection.Id);
        writer.AddXorAddress(StunAttributeType.XorPeerAddress, peerConnection.Peer);
        AddSoftware(ref writer);
        control.Send(writer.Written);
    }

    /// <summary>
    /// ConnectionBind (§5.4) on a new TCP or TLS connection: after the success response that connection
    /// carries the peer data connection's bytes as they are, both ways.
    /// </summary>
    private void HandleConnectionBind(ClientConnection connection, StunMessageReader request)
    {
        if (connection is not StreamClientConnection stream)
        {
            SendError(connection, request, StunErrorCode.BadRequest, null, "ConnectionBind needs a TCP or TLS connection");
            return;
        }
        var credentials = Authenticate(connection, request);
        if (credentials is null) return;
        if (connection.Allocation is not null)
        {
            SendError(connection, request, StunErrorCode.BadRequest, credentials, "ConnectionBind on a control connection");
            return;
        }
        if (!request.TryGetAttribute(StunAttributeType.ConnectionId, out var idValue) ||
            !TurnAttributes.TryReadUInt32(idValue, out uint id) ||
            !_tcpConnections.TryGetValue(id, out var peerConnection))
        {
            SendError(connection, request, StunErrorCode.BadRequest, credentials, "Unknown CONNECTION-ID");
            return;
        }
        if (peerConnection.Allocation.Username != credentials.Username)
        {
            SendError(connection, request, StunErrorCode.WrongCredentials, credentials);
            return;
        }
        if (!peerConnection.TryBind())
        {
            SendError(connection, request, StunErrorCode.BadRequest, credentials, "Connection not waiting for a ConnectionBind");
            return;
        }
        SendEmptySuccess(connection, request, credentials);
        stream.HandOver = peerConnection.SpliceAsync;
        _logger.LogInformation("Allocation {Id}: connection {ConnectionId} bound to {Client}", peerConnection.Allocation.Id, id, connection);
    }
}
