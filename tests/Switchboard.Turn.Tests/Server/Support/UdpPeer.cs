using System.Net;
using System.Net.Sockets;

namespace Switchboard.Turn.Tests.Server.Support;

/// <summary>A real UDP socket on loopback that plays the peer on the far side of the relay.</summary>
internal sealed class UdpPeer : IDisposable
{
    private readonly Socket _socket;

    public UdpPeer(IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        _socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(address, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint EndPoint { get; }

    public void SendTo(IPEndPoint relay, byte[] data) => _socket.SendTo(data, relay);

    /// <summary>The next datagram and its source, or null when none comes within the timeout.</summary>
    public (byte[] Data, IPEndPoint From)? Receive(TimeSpan timeout)
    {
        if (!_socket.Poll(timeout, SelectMode.SelectRead)) return null;
        var buffer = new byte[65536];
        EndPoint from = new IPEndPoint(EndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        int length = _socket.ReceiveFrom(buffer, ref from);
        return (buffer[..length], (IPEndPoint)from);
    }

    public void Dispose() => _socket.Dispose();
}
