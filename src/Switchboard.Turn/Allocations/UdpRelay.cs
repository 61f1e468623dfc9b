using System.Net;
using System.Net.Sockets;

namespace Switchboard.Turn.Allocations;

/// <summary>
/// The relayed transport address of a UDP allocation (RFC 8656 §2.2): one socket on a port from the
/// pool and one receive loop. Datagrams land after <see cref="Headroom"/> bytes so that the ChannelData
/// or Data indication header can be written in front of them without copying.
/// </summary>
public sealed class UdpRelay : IDisposable
{
    /// <summary>Room for the largest Data indication header: 20 + XOR-PEER-ADDRESS (24 for IPv6) + DATA header (4).</summary>
    public const int Headroom = 48;

    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[Headroom + 65536 + 4];
    private readonly Action<UdpRelay, byte[], int, SocketAddress> _deliver;
    private volatile bool _closed;

    public UdpRelay(Socket boundSocket, IPEndPoint announced, Action<UdpRelay, byte[], int, SocketAddress> deliver)
    {
        _socket = boundSocket;
        _deliver = deliver;
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
        var memory = _buffer.AsMemory(Headroom, 65536);
        while (!_closed)
        {
            int received;
            try
            {
                received = await _socket.ReceiveFromAsync(memory, SocketFlags.None, from).ConfigureAwait(false);
            }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) when (_closed) { return; }
            catch (SocketException) { continue; } // ICMP errors reported on the socket
            _deliver(this, _buffer, received, from);
        }
    }

    public void Dispose()
    {
        _closed = true;
        _socket.Dispose();
    }
}
