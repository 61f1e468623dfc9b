using System.Net.Sockets;
using Switchboard.Protocols.Stun;
using Switchboard.Turn.Tests.Support;

namespace Switchboard.Turn.Tests.TcpRelay;

/// <summary>Peers connecting to the relayed transport address (RFC 6062 §5.3).</summary>
public sealed class IncomingPeerTests
{
    [Fact]
    public async Task Peer_with_permission_gets_a_ConnectionAttempt_then_data_flows()
    {
        await using var turn = TestTurnServer.Start();
        await using var control = await turn.ConnectClientAsync();
        Assert.True((await control.AllocateAsync()).IsSuccess);
        Assert.True((await control.CreatePermissionAsync(new(System.Net.IPAddress.Loopback, 0))).IsSuccess);

        using var peer = new TcpClient(AddressFamily.InterNetwork);
        await peer.ConnectAsync(control.RelayedAddress!);
        var attempt = await control.WaitForIndicationAsync(StunMethod.ConnectionAttempt);
        Assert.Equal(peer.Client.LocalEndPoint, attempt.GetXorAddress(StunAttributeType.XorPeerAddress));
        uint id = attempt.GetUInt32(StunAttributeType.ConnectionId)!.Value;

        // What the peer sends before the bind waits for it (§5.3).
        await peer.GetStream().WriteAsync("early"u8.ToArray());
        await using var data = await turn.ConnectClientAsync();
        Assert.True((await data.ConnectionBindAsync(id)).IsSuccess);
        var early = new byte[5];
        await data.Stream.ReadExactlyAsync(early).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("early"u8.ToArray(), early);
        await TcpRelayAssert.RelaysBothWays(data.Stream, peer.GetStream());
    }

    [Fact]
    public async Task Peer_without_permission_is_closed_and_no_attempt_is_sent()
    {
        await using var turn = TestTurnServer.Start();
        await using var control = await turn.ConnectClientAsync();
        Assert.True((await control.AllocateAsync()).IsSuccess);

        using var peer = new TcpClient(AddressFamily.InterNetwork);
        await peer.ConnectAsync(control.RelayedAddress!);
        Assert.True(await TcpRelayAssert.IsClosed(peer.GetStream()));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            control.WaitForIndicationAsync(StunMethod.ConnectionAttempt, TimeSpan.FromMilliseconds(300)));
    }
}
