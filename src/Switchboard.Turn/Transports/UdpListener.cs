using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Switchboard.Turn.Transports;

/// <summary>
/// STUN/TURN over UDP (RFC 8656 §3.1): one socket, one receive thread that blocks in recvfrom and
/// handles each datagram inline (no thread-pool hand-off per datagram). Clients with an allocation are
/// kept by source address, so the per-datagram lookup allocates nothing; any other source gets a
/// short-lived connection object for the one exchange.
/// </summary>
public sealed class UdpListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly IClientMessageHandler _handler;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<SocketAddress, UdpClientConnection> _clients = new();
    private readonly byte[] _buffer = new byte[65536];
    private Thread? _thread;
    private volatile bool _closed;

    public UdpListener(IPEndPoint endPoint, IClientMessageHandler handler, ILogger logger)
    {
        _handler = handler;
        _logger = logger;
        _socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (endPoint.AddressFamily == AddressFamily.InterNetworkV6) _socket.DualMode = false; // "::" and "0.0.0.0" side by side
        _socket.ReceiveBufferSize = 4 * 1024 * 1024;
        _socket.SendBufferSize = 4 * 1024 * 1024;
        _socket.Bind(endPoint);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }
    public int ClientCount => _clients.Count;

    public void Start()
    {
        _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"turn-udp {LocalEndPoint}" };
        _thread.Start();
    }

    private void ReceiveLoop()
    {
        var from = new SocketAddress(_socket.AddressFamily);
        while (!_closed)
        {
            int received;
            try
            {
                received = _socket.ReceiveFrom(_buffer, SocketFlags.None, from);
            }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) when (_closed) { return; }
            catch (SocketException) { continue; }

            bool known = _clients.TryGetValue(from, out var client);
            client ??= new UdpClientConnection(this, Copy(from));
            try
            {
                _handler.HandleMessage(client, _buffer.AsSpan(0, received));
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Message from {Client} failed", client);
            }
            if (!known && client.Allocation is not null) _clients[client.SocketAddress] = client;
        }
    }

    internal void Send(ReadOnlySpan<byte> message, SocketAddress to)
    {
        try { _socket.SendTo(message, SocketFlags.None, to); }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    internal void Forget(UdpClientConnection client) => _clients.TryRemove(client.SocketAddress, out _);

    private static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    public ValueTask DisposeAsync()
    {
        _closed = true;
        _socket.Dispose(); // unblocks recvfrom
        _thread?.Join(TimeSpan.FromSeconds(5));
        return ValueTask.CompletedTask;
    }
}

/// <summary>A UDP client: its source address, answered through the listener's socket.</summary>
internal sealed class UdpClientConnection(UdpListener listener, SocketAddress address)
    : ClientConnection(ClientTransport.Udp, ToEndPoint(address), listener.LocalEndPoint)
{
    public SocketAddress SocketAddress { get; } = address;

    /// <summary>The largest UDP payload: 65,507 bytes over IPv4, 65,527 over IPv6.</summary>
    public override int MaxMessageLength => SocketAddress.Family == AddressFamily.InterNetworkV6 ? 65_527 : 65_507;

    public override void Send(ReadOnlySpan<byte> message) => listener.Send(message, SocketAddress);

    public override void Close() => listener.Forget(this);

    protected internal override void OnAllocationEnded() => listener.Forget(this);

    private static IPEndPoint ToEndPoint(SocketAddress address) =>
        (IPEndPoint)(address.Family == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0)).Create(address);
}
