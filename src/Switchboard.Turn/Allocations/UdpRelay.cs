using System.Net;
using System.Net.Sockets;

namespace Switchboard.Turn.Allocations;

/// <summary>
/// The relayed transport address of a UDP allocation (RFC 8656 §2.2): one socket on a port from the pool and one
/// receive loop. The loop waits without a buffer and borrows one from <see cref="RelayBufferPool"/> only to handle
/// the datagrams that are queued. Datagrams land after <see cref="Headroom"/> bytes so that the ChannelData or Data
/// indication header can be written in front of them without copying.
/// </summary>
public sealed class UdpRelay : IDisposable
{
    /// <summary>Room for the largest Data indication header: 20 + XOR-PEER-ADDRESS (24 for IPv6) + DATA header (4).</summary>
    public const int Headroom = 48;

    /// <summary>The largest UDP payload: 65,535 bytes less the 8-byte UDP header (IPv6; IPv4 allows 20 fewer).</summary>
    public const int MaxDatagram = 65_527;

    /// <summary>Datagrams handled with one borrowed buffer before the loop waits again (so that others get buffers too).</summary>
    private const int MaxBurst = 64;

    private readonly Socket _socket;
    private readonly Action<UdpRelay, byte[], int, SocketAddress> _deliver;
    private readonly Action<UdpRelay, Exception> _failed;
    private volatile bool _closed;

    /// <param name="deliver">Handles one datagram from a peer, at buffer[Headroom..Headroom+length].</param>
    /// <param name="failed">Told when <paramref name="deliver"/> threw; the datagram is lost, the loop goes on.</param>
    public UdpRelay(Socket boundSocket, IPEndPoint announced, Action<UdpRelay, byte[], int, SocketAddress> deliver,
        Action<UdpRelay, Exception> failed)
    {
        _socket = boundSocket;
        _deliver = deliver;
        _failed = failed;
        Announced = announced;
        LocalEndPoint = (IPEndPoint)boundSocket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>What the client is told: the external address when behind NAT, with the relay's port.</summary>
    public IPEndPoint Announced { get; }

    public AddressFamily AddressFamily => LocalEndPoint.AddressFamily;

    public void Start() => _ = ReceiveLoopAsync();

    public void SendTo(ReadOnlySpan<byte> data, SocketAddress peer)
    {
        try { _socket.SendTo(data, SocketFlags.None, peer); }
        catch (SocketException) { } // an unreachable peer must not affect the client
        catch (ObjectDisposedException) { }
    }

    private async Task ReceiveLoopAsync()
    {
        var from = new SocketAddress(_socket.AddressFamily);
        while (!_closed)
        {
            try
            {
                // A zero-byte peek completes when a datagram is queued and leaves it there: no buffer while idle.
                await _socket.ReceiveFromAsync(Memory<byte>.Empty, SocketFlags.Peek, from).ConfigureAwait(false);
            }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) when (_closed) { return; }
            catch (SocketException) { continue; } // ICMP errors reported on the socket
            var buffer = RelayBufferPool.Rent();
            try { ReceiveQueued(buffer, from); }
            finally { RelayBufferPool.Return(buffer); }
        }
    }

    /// <summary>Handles the datagrams queued now (at least one), up to <see cref="MaxBurst"/>.</summary>
    private void ReceiveQueued(byte[] buffer, SocketAddress from)
    {
        for (int i = 0; i < MaxBurst && !_closed; i++)
        {
            int received;
            try
            {
                received = _socket.ReceiveFrom(buffer.AsSpan(Headroom, MaxDatagram), SocketFlags.None, from);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            try { _deliver(this, buffer, received, from); }
            catch (Exception e) { _failed(this, e); }
            try
            {
                if (_socket.Available == 0) return;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
        }
    }

    public void Dispose()
    {
        _closed = true;
        _socket.Dispose();
    }
}
