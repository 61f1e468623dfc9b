using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>Cheap readiness checks for servers started by the tests.</summary>
public static class Probe
{
    /// <summary>True when a TCP connection to the port is accepted.</summary>
    public static async Task<bool> TcpAcceptsAsync(int port, TimeSpan timeout)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>True when a STUN Binding request (RFC 8489 §6) sent over UDP gets any STUN answer with the same transaction id.</summary>
    public static async Task<bool> StunBindingAnswersAsync(int port, TimeSpan timeout)
    {
        var request = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(request, 0x0001); // Binding request
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(2), 0); // no attributes
        BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(4), 0x2112A442); // magic cookie
        RandomNumberGenerator.Fill(request.AsSpan(8, 12));

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await socket.SendToAsync(request, new IPEndPoint(IPAddress.Loopback, port));
        var buffer = new byte[1500];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (received >= 20 && buffer.AsSpan(8, 12).SequenceEqual(request.AsSpan(8, 12)))
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
