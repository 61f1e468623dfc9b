using System.Net.Sockets;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;
using Switchboard.Turn.Tests.Support;

namespace Switchboard.Turn.Tests.TcpRelay;

/// <summary>Connect (RFC 6062 §5.2) and ConnectionBind (§5.4) for connections the client opens.</summary>
public sealed class ConnectTests
{
    [Fact]
    public async Task Connect_then_ConnectionBind_relays_bytes_both_ways()
    {
        await using var turn = TestTurnServer.Start();
        using var peerListener = TcpRelayAssert.StartPeer();
        await using var control = await turn.ConnectClientAsync();

        uint id = await TcpRelayAssert.AllocateAndConnect(control, peerListener.EndPoint());
        using var peer = await peerListener.AcceptTcpClientAsync();
        Assert.Equal(control.RelayedAddress, peer.Client.RemoteEndPoint); // §5.2: from the relayed transport address

        await using var data = await turn.ConnectClientAsync();
        var bind = await data.ConnectionBindAsync(id);
        Assert.True(bind.IsSuccess, bind.ToString());
        await TcpRelayAssert.RelaysBothWays(data.Stream, peer.GetStream());
    }

    [Fact]
    public async Task Bytes_sent_right_behind_ConnectionBind_reach_the_peer_first()
    {
        await using var turn = TestTurnServer.Start();
        using var peerListener = TcpRelayAssert.StartPeer();
        await using var control = await turn.ConnectClientAsync();
        uint id = await TcpRelayAssert.AllocateAndConnect(control, peerListener.EndPoint());
        using var peer = await peerListener.AcceptTcpClientAsync();

        await using var data = await turn.ConnectClientAsync();
        await data.RefreshAsync(600); // learns the nonce: 437, as this connection has no allocation
        var early = "sent with the ConnectionBind"u8.ToArray();
        Assert.True((await data.ConnectionBindAsync(id, early)).IsSuccess);
        await data.Stream.WriteAsync("|then this"u8.ToArray());

        var expected = "sent with the ConnectionBind|then this"u8.ToArray();
        var received = new byte[expected.Length];
        await peer.GetStream().ReadExactlyAsync(received).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(expected, received);
    }

    [Fact]
    public async Task Connect_grants_a_permission_for_the_peer()
    {
        await using var turn = TestTurnServer.Start();
        using var peerListener = TcpRelayAssert.StartPeer();
        await using var control = await turn.ConnectClientAsync();
        await TcpRelayAssert.AllocateAndConnect(control, peerListener.EndPoint());

        // The peer may now connect to the relayed address from elsewhere (§5.3).
        using var second = new TcpClient(AddressFamily.InterNetwork);
        await second.ConnectAsync(control.RelayedAddress!);
        var attempt = await control.WaitForIndicationAsync(StunMethod.ConnectionAttempt);
        Assert.Equal(second.Client.LocalEndPoint, attempt.GetXorAddress(StunAttributeType.XorPeerAddress));
    }

    [Fact]
    public async Task Second_Connect_to_the_same_peer_is_446()
    {
        await using var turn = TestTurnServer.Start();
        using var peerListener = TcpRelayAssert.StartPeer();
        await using var control = await turn.ConnectClientAsync();
        await TcpRelayAssert.AllocateAndConnect(control, peerListener.EndPoint());

        var again = await control.ConnectAsync(peerListener.EndPoint());
        Assert.Equal(StunErrorCode.ConnectionAlreadyExists, again.ErrorCode);
    }

    [Fact]
    public async Task Connect_to_a_closed_port_is_447()
    {
        await using var turn = TestTurnServer.Start();
        var closed = TcpRelayAssert.StartPeer();
        var endPoint = closed.EndPoint();
        closed.Dispose();
        await using var control = await turn.ConnectClientAsync();
        Assert.True((await control.AllocateAsync()).IsSuccess);

        var connect = await control.ConnectAsync(endPoint);
        Assert.Equal(StunErrorCode.ConnectionTimeoutOrFailure, connect.ErrorCode);
        Assert.True(connect.VerifyIntegrity(StunCredentials.LongTermKey("alice", turn.Options.Realm, "secret")));

        // The failed attempt leaves nothing behind: a listener there now can be reached.
        using var reopened = new TcpListener(endPoint);
        reopened.Start();
        Assert.True((await control.ConnectAsync(endPoint)).IsSuccess);
    }

    [Fact]
    public async Task Connect_to_a_denied_peer_is_403()
    {
        await using var turn = TestTurnServer.Start(o => o.AllowLoopbackPeers = false);
        using var peerListener = TcpRelayAssert.StartPeer();
        await using var control = await turn.ConnectClientAsync();
        Assert.True((await control.AllocateAsync()).IsSuccess);

        var connect = await control.ConnectAsync(peerListener.EndPoint());
        Assert.Equal(StunErrorCode.Forbidden, connect.ErrorCode);
    }

    [Fact]
    public async Task Connect_on_a_UDP_allocation_is_400()
    {
        await using var turn = TestTurnServer.Start();
        using var peerListener = TcpRelayAssert.StartPeer();
        await using var control = await turn.ConnectClientAsync();
        Assert.True((await control.AllocateAsync(TurnAttributes.TransportUdp)).IsSuccess);

        var connect = await control.ConnectAsync(peerListener.EndPoint());
        Assert.Equal(StunErrorCode.BadRequest, connect.ErrorCode);
    }

    [Fact]
    public async Task Connect_without_XOR_PEER_ADDRESS_is_400_and_without_allocation_437()
    {
        await using var turn = TestTurnServer.Start();
        await using var control = await turn.ConnectClientAsync();
        Assert.Equal(StunErrorCode.AllocationMismatch, (await control.RequestAsync(StunMethod.Connect)).ErrorCode);
        Assert.True((await control.AllocateAsync()).IsSuccess);
        Assert.Equal(StunErrorCode.BadRequest, (await control.RequestAsync(StunMethod.Connect)).ErrorCode);
    }

    [Fact]
    public async Task Connections_past_the_cap_are_508()
    {
        await using var turn = TestTurnServer.Start(o => o.MaxTcpConnectionsPerAllocation = 1);
        using var first = TcpRelayAssert.StartPeer();
        using var second = TcpRelayAssert.StartPeer();
        await using var control = await turn.ConnectClientAsync();
        await TcpRelayAssert.AllocateAndConnect(control, first.EndPoint());

        var connect = await control.ConnectAsync(second.EndPoint());
        Assert.Equal(StunErrorCode.InsufficientCapacity, connect.ErrorCode);
    }
}
