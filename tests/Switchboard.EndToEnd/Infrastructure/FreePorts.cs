using System.Net;
using System.Net.Sockets;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>Ports for servers started by the tests, on 127.0.0.1 only.</summary>
public static class FreePorts
{
    // Relay ranges sit below the kernel's ephemeral range (32768-60999 by default), so that no client
    // socket the OS hands out can take a port a relay expects to own.
    private const int RelayBase = 20000;
    private const int RelaySpan = 500;
    private const int RelaySlots = 25; // 20000-32499

    private static readonly HashSet<int> Given = [];
    private static int s_relaySlot = -1;

    /// <summary>
    /// A port that is free for both TCP and UDP on 127.0.0.1 (a TURN listener takes the same number on both),
    /// and that this process has not handed out before.
    /// </summary>
    public static int TcpAndUdp()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            lock (Given)
            {
                if (Given.Contains(port))
                {
                    continue;
                }
            }

            try
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            }
            catch (SocketException)
            {
                continue;
            }

            lock (Given)
            {
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException("Found no port free for both TCP and UDP on 127.0.0.1.");
    }

    /// <summary>A private relay port range for one server, different from the ranges given before (until they wrap).</summary>
    public static (int Min, int Max) RelayRange()
    {
        var slot = Interlocked.Increment(ref s_relaySlot) % RelaySlots;
        var min = RelayBase + (slot * RelaySpan);
        return (min, min + RelaySpan - 1);
    }
}
