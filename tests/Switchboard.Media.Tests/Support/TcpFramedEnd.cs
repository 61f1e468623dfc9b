using System.Net;
using System.Net.Sockets;
using Switchboard.Protocols.Ice;

namespace Switchboard.Media.Tests.Support;

/// <summary>An active ICE-TCP connection (RFC 6544) to the server: datagrams framed with RFC 4571 length prefixes.</summary>
public sealed class TcpFramedEnd : IDatagramEnd, IDisposable
{
    private readonly Socket _socket;
    private readonly IPEndPoint _server;
    private readonly object _sendLock = new();
    private readonly CancellationTokenSource _stop = new();

    private TcpFramedEnd(Socket socket, IPEndPoint server)
    {
        _socket = socket;
        _server = server;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _ = Task.Run(ReceiveLoop);
    }

    public IPEndPoint LocalEndPoint { get; }

    public Action<IPEndPoint, byte[]>? Receive { get; set; }

    /// <summary>True once the server closed the connection.</summary>
    public bool Closed { get; private set; }

    public static async Task<TcpFramedEnd> ConnectAsync(IPEndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server);
        return new TcpFramedEnd(socket, server);
    }

    public void Send(ReadOnlySpan<byte> datagram)
    {
        byte[] frame = new byte[Rfc4571Framing.HeaderLength + datagram.Length];
        Rfc4571Framing.TryWriteHeader(frame, datagram.Length);
        datagram.CopyTo(frame.AsSpan(Rfc4571Framing.HeaderLength));
        lock (_sendLock)
        {
            try { _socket.Send(frame); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        }
    }

    private async Task ReceiveLoop()
    {
        var buffer = new byte[1 << 17];
        int filled = 0;
        while (!_stop.IsCancellationRequested)
        {
            int read;
            try { read = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { read = 0; }
            if (read == 0)
            {
                Closed = true;
                return;
            }
            filled += read;
            int offset = 0;
            while (Rfc4571Framing.TryReadFrame(buffer.AsSpan(offset, filled - offset), out ReadOnlySpan<byte> frame, out int consumed))
            {
                Receive?.Invoke(_server, frame.ToArray());
                offset += consumed;
            }
            buffer.AsSpan(offset, filled - offset).CopyTo(buffer);
            filled -= offset;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose(); // the receive loop, if still running, ends on the disposed socket or token
    }
}
