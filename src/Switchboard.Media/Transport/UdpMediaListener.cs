using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Switchboard.Media.Transport;

/// <summary>
/// The media UDP socket: one receive loop for every peer, which hands each datagram to the host with the sender's
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

    /// <summary>Datagrams the kernel refused to send (buffer full, peer unreachable).</summary>
    public long SendFailures;

    public void SendTo(ReadOnlySpan<byte> datagram, SocketAddress address)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, address);
        }
        catch (SocketException)
        {
            Interlocked.Increment(ref SendFailures);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Receives until stopped; <paramref name="onDatagram"/> runs on this loop and must not block.</summary>
    public async Task RunAsync(DatagramHandler onDatagram, CancellationToken stopping)
    {
        byte[] buffer = GC.AllocateArray<byte>(MaxDatagram, pinned: true);
        var address = new SocketAddress(_socket.AddressFamily);
        while (!stopping.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, address, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
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
