using Switchboard.Protocols.Stun;
using Switchboard.Turn.Tests.Support;

namespace Switchboard.Turn.Tests.TcpRelay;

/// <summary>The checks of ConnectionBind (RFC 6062 §5.4) and the 30 s a connection waits for one (§5.2).</summary>
public sealed class ConnectionBindTests
{
    [Fact]
    public async Task Unknown_connection_id_is_400()
    {
        await using var turn = TestTurnServer.Start();
        await using var data = await turn.ConnectClientAsync();
        var bind = await data.ConnectionBindAsync(0x12345678);
        Assert.Equal(StunErrorCode.BadRequest, bind.ErrorCode);
    }

    [Fact]
    public async Task Another_user_is_441()
    {
        await using var turn = TestTurnServer.Start();
        using var peerListener = TcpRelayAssert.StartPeer();
        await using var control = await turn.ConnectClientAsync();
        uint id = await TcpRelayAssert.AllocateAndConnect(control, peerListener.EndPoint());

        await using var bob = await turn.ConnectClientAsync("bob", "secret");
        Assert.Equal(StunErrorCode.WrongCredentials, (await bob.ConnectionBindAsync(id)).ErrorCode);

        // The connection still waits for its owner.
        await using var data = await turn.ConnectClientAsync();
        Assert.True((await data.ConnectionBindAsync(id)).IsSuccess);
    }

    [Fact]
    public async Task Wrong_password_gets_the_401_challenge()
    {
        await using var turn = TestTurnServer.Start();
        using var peerListener = TcpRelayAssert.StartPeer();
        await using var control = await turn.ConnectClientAsync();
        uint id = await TcpRelayAssert.AllocateAndConnect(control, peerListener.EndPoint());

        await using var data = await turn.ConnectClientAsync("alice", "wrong");
        Assert.Equal(StunErrorCode.Unauthenticated, (await data.ConnectionBindAsync(id)).ErrorCode);
    }

    [Fact]
    public async Task On_a_connection_with_an_allocation_is_400()
    {
        await using var turn = TestTurnServer.Start();
        using var peerListener = TcpRelayAssert.StartPeer();
        await using var control = await turn.ConnectClientAsync();
        uint id = await TcpRelayAssert.AllocateAndConnect(control, peerListener.EndPoint());

        Assert.Equal(StunErrorCode.BadRequest, (await control.ConnectionBindAsync(id)).ErrorCode);
    }

    [Fact]
    public async Task A_connection_binds_once()
    {
        await using var turn = TestTurnServer.Start();
        using var peerListener = TcpRelayAssert.StartPeer();
        await using var control = await turn.ConnectClientAsync();
        uint id = await TcpRelayAssert.AllocateAndConnect(control, peerListener.EndPoint());

        await using var first = await turn.ConnectClientAsync();
        Assert.True((await first.ConnectionBindAsync(id)).IsSuccess);
        await using var second = await turn.ConnectClientAsync();
        Assert.Equal(StunErrorCode.BadRequest, (await second.ConnectionBindAsync(id)).ErrorCode);
    }

    [Fact]
    public async Task A_connection_not_bound_within_30_seconds_is_closed()
    {
        var time = new ShiftedTimeProvider();
        await using var turn = TestTurnServer.Start(time: time);
        using var peerListener = TcpRelayAssert.StartPeer();
        await using var control = await turn.ConnectClientAsync();
        uint id = await TcpRelayAssert.AllocateAndConnect(control, peerListener.EndPoint());
        using var peer = await peerListener.AcceptTcpClientAsync();

        time.Offset = TimeSpan.FromMilliseconds(global::Switchboard.Turn.Allocations.TcpRelay.BindTimeoutMilliseconds + 1000); // the sweep runs every second
        Assert.True(await TcpRelayAssert.IsClosed(peer.GetStream()));
        await using var data = await turn.ConnectClientAsync();
        Assert.Equal(StunErrorCode.BadRequest, (await data.ConnectionBindAsync(id)).ErrorCode);

        // Its place is free again: no 446 for the same peer. (The connect itself may meet the closed
        // connection's TIME_WAIT, as it has the same four addresses and ports, and fail with 447.)
        Assert.True(await TcpRelayAssert.Eventually(() => turn.Server.TcpConnectionCount == 0));
        Assert.NotEqual(StunErrorCode.ConnectionAlreadyExists, (await control.ConnectAsync(peerListener.EndPoint())).ErrorCode);
    }

    [Fact]
    public async Task Bound_data_connection_closes_with_its_peer_and_the_other_way()
    {
        await using var turn = TestTurnServer.Start();
        using var peerListener = TcpRelayAssert.StartPeer();
        await using var control = await turn.ConnectClientAsync();
        var allocate = await control.AllocateAsync();
        Assert.True(allocate.IsSuccess);

        for (int round = 0; round < 2; round++)
        {
            // The server learns of round 0's close asynchronously: until then a new Connect to the same peer gets 446.
            Assert.True(await TcpRelayAssert.Eventually(() => turn.Server.TcpConnectionCount == 0));
            var connect = await control.ConnectAsync(peerListener.EndPoint());
            Assert.True(connect.IsSuccess, connect.ToString());
            uint id = connect.GetUInt32(StunAttributeType.ConnectionId)!.Value;
            using var peer = await peerListener.AcceptTcpClientAsync();
            var data = await turn.ConnectClientAsync();
            Assert.True((await data.ConnectionBindAsync(id)).IsSuccess);

            if (round == 0)
            {
                peer.Close();
                Assert.True(await TcpRelayAssert.IsClosed(data.Stream));
            }
            else
            {
                await data.DisposeAsync();
                Assert.True(await TcpRelayAssert.IsClosed(peer.GetStream()));
            }
            await data.DisposeAsync();
        }
    }
}
