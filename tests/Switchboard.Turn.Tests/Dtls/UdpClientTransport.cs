using System.Net;
using System.Net.Sockets;
using Org.BouncyCastle.Tls;

namespace Switchboard.Turn.Tests.Dtls;

/// <summary>A BouncyCastle DatagramTransport over a UDP socket connected to the server, for test clients.</summary>
internal sealed class UdpClientTransport(Socket socket, int sendLimit = 1200, int dropSendsAfter = int.MaxValue)
    : DatagramTransport
{
    private int _sent;

    public Socket Socket { get; } = socket;

    /// <summary>Datagrams sent (including those dropped on purpose).</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Set once BouncyCastle closes the transport (close_notify or failure).</summary>
    public bool IsClosed { get; private set; }

    public static Socket ConnectedSocket(IPEndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server);
        return socket;
    }

    public int GetReceiveLimit() => 65535;

    public int GetSendLimit() => sendLimit;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    /// <summary>Share of datagrams lost on purpose in each direction (0 to 1).</summary>
    public double Loss { get; set; }

    private readonly Random _random = new(12345);

    private bool Lose() => Loss > 0 && _random.NextDouble() < Loss;

    public int Receive(Span<byte> buffer, int waitMillis)
    {
        if (IsClosed)
            return -1;
        int wait = waitMillis <= 0 ? 5000 : waitMillis;
        try
        {
            if (!Socket.Poll(TimeSpan.FromMilliseconds(wait), SelectMode.SelectRead))
                return -1;
            int received = Socket.Receive(buffer);
            return Lose() ? -1 : received;
        }
        catch (SocketException)
        {
            return -1; // e.g. ICMP port unreachable after the server has gone
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    /// <summary>Size of the first datagram sent.</summary>
    public int FirstDatagramLength { get; private set; }

    /// <summary>The last datagram sent.</summary>
    public byte[] LastDatagram { get; private set; } = [];

    /// <summary>While set, datagrams are held back and <see cref="Flush"/> sends them as one.</summary>
    public bool Coalesce { get; set; }

    private readonly List<byte> _held = [];

    public void Flush()
    {
        Socket.Send(_held.ToArray());
        _held.Clear();
    }

    public void Send(ReadOnlySpan<byte> buffer)
    {
        if (FirstDatagramLength == 0)
            FirstDatagramLength = buffer.Length;
        LastDatagram = buffer.ToArray();
        if (Coalesce)
        {
            _held.AddRange(buffer);
            return;
        }
        if (Interlocked.Increment(ref _sent) > dropSendsAfter || IsClosed || Lose())
            return;
        try
        {
            Socket.Send(buffer);
        }
        catch (SocketException)
        {
        }
    }

    public void Close() => IsClosed = true;
}
