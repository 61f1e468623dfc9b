using System.Net;
using System.Net.Sockets;

namespace Switchboard.Media.Tests.Support;

/// <summary>A real UDP socket on loopback, connected to one server address, with a receive loop of its own.</summary>
public sealed class UdpSocketEnd : IDatagramEnd, IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();

    public UdpSocketEnd(IPEndPoint server)
    {
        _socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, 0));
        _socket.Connect(server);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _ = Task.Run(ReceiveLoop);
    }

    public IPEndPoint LocalEndPoint { get; }

    public Action<IPEndPoint, byte[]>? Receive { get; set; }

    public void Send(ReadOnlySpan<byte> datagram)
    {
        try { _socket.Send(datagram); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    private async Task ReceiveLoop()
    {
        var buffer = new byte[2048];
        var remote = (IPEndPoint)_socket.RemoteEndPoint!;
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try { length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            Receive?.Invoke(remote, buffer[..length]);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose(); // the receive loop, if still running, ends on the disposed socket or token
    }
}
