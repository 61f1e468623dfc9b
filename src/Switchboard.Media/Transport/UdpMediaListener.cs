using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Switchboard.Media.Transport;

/// <summary>
/// The media UDP socket: one receive thread for every peer, which hands each datagram to the host with the sender's
/// address (reused between datagrams: the host copies it to keep it).
/// </summary>
internal sealed class UdpMediaListener : IDisposable
{
    public const int MaxDatagram = 2048;

    private readonly Socket _socket;
    private readonly ILogger _logger;

    public UdpMediaListener(IPAddress address, int port, ILogger logger)
    {
        _logger = logger;
        _socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (address.AddressFamily == AddressFamily.InterNetworkV6) _socket.DualMode = true;
        _socket.ReceiveBufferSize = 4 * 1024 * 1024;
        _socket.SendBufferSize = 4 * 1024 * 1024;
        _socket.Bind(new IPEndPoint(address, port));
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    private long _sendFailures;

    /// <summary>Datagrams the kernel refused to send (buffer full, peer unreachable).</summary>
    public long SendFailures => Interlocked.Read(ref _sendFailures);

    public void SendTo(ReadOnlySpan<byte> datagram, SocketAddress address)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, address);
        }
        catch (SocketException)
        {
            Interlocked.Increment(ref _sendFailures);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Receives on a thread of its own until the socket is disposed; <paramref name="onDatagram"/> runs on it and must
    /// not block. A blocking receive on a dedicated thread costs a fraction of an async receive per datagram: no
    /// thread-pool hand-off, and no worker spinning between packets.
    /// </summary>
    public Task RunAsync(DatagramHandler onDatagram, CancellationToken stopping)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try { ReceiveLoop(onDatagram, stopping); }
            finally { done.TrySetResult(); }
        })
        { IsBackground = true, Name = "media UDP receive" };
        thread.Start();
        return done.Task;
    }

    private void ReceiveLoop(DatagramHandler onDatagram, CancellationToken stopping)
    {
        byte[] buffer = GC.AllocateArray<byte>(MaxDatagram, pinned: true);
        var address = new SocketAddress(_socket.AddressFamily);
        while (!stopping.IsCancellationRequested)
        {
            int length;
            try
            {
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, address);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.Interrupted or SocketError.OperationAborted or SocketError.Shutdown)
            {
                return;
            }
            catch (SocketException e)
            {
                // ICMP port unreachable from an earlier send surfaces here on some systems; the socket is fine.
                _logger.LogDebug("Media UDP receive: {Error}", e.SocketErrorCode);
                continue;
            }
            try
            {
                onDatagram(this, address, buffer, length);
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Media UDP datagram of {Length} bytes failed", length);
            }
        }
    }

    public void Dispose() => _socket.Dispose();

    public delegate void DatagramHandler(UdpMediaListener listener, SocketAddress from, byte[] buffer, int length);
}
