using System.Net;
using System.Net.Sockets;
using Switchboard.Protocols.Stun;
using Switchboard.Turn.Tests.Support;

namespace Switchboard.Turn.Tests.TcpRelay;

/// <summary>Steps the RFC 6062 tests share.</summary>
internal static class TcpRelayAssert
{
    /// <summary>Sends different random bytes each way at once and checks both arrive whole and in order.</summary>
    public static async Task RelaysBothWays(Stream client, Stream peer, int length = 256 * 1024)
    {
        var up = RandomBytes(length, 1);
        var down = RandomBytes(length, 2);
        var receivedAtPeer = new byte[length];
        var receivedAtClient = new byte[length];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Task.WhenAll(
            client.WriteAsync(up, timeout.Token).AsTask(),
            peer.WriteAsync(down, timeout.Token).AsTask(),
            peer.ReadExactlyAsync(receivedAtPeer, timeout.Token).AsTask(),
            client.ReadExactlyAsync(receivedAtClient, timeout.Token).AsTask());
        Assert.Equal(up, receivedAtPeer);
        Assert.Equal(down, receivedAtClient);
    }

    /// <summary>True when the other end has closed: a read returns 0 or fails.</summary>
    public static async Task<bool> IsClosed(Stream stream, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, cancel.Token) > 0) { }
            return true;
        }
        catch (IOException) { return true; }
        catch (OperationCanceledException) { return false; }
    }

    /// <summary>Polls <paramref name="condition"/> for up to 10 s: for what the server does after the client sees it.</summary>
    public static async Task<bool> Eventually(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++) await Task.Delay(50);
        return condition();
    }

    /// <summary>A TCP allocation, then a Connect to <paramref name="peer"/>: the CONNECTION-ID.</summary>
    public static async Task<uint> AllocateAndConnect(TestTurnClient control, IPEndPoint peer)
    {
        Assert.True((await control.AllocateAsync()).IsSuccess);
        var connect = await control.ConnectAsync(peer);
        Assert.True(connect.IsSuccess, connect.ToString());
        return connect.GetUInt32(StunAttributeType.ConnectionId) ?? throw new Xunit.Sdk.XunitException("no CONNECTION-ID");
    }

    public static TcpListener StartPeer()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    public static IPEndPoint EndPoint(this TcpListener listener) => (IPEndPoint)listener.LocalEndpoint;

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
