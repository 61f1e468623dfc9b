using System.Net.Sockets;
using Switchboard.Turn.Tests.Support;

namespace Switchboard.Turn.Tests.TcpRelay;

/// <summary>When a TCP allocation ends, its listener, peer and data connections go with it (RFC 6062 §5.2-§5.4).</summary>
public sealed class TcpAllocationLifetimeTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Deleting_the_allocation_closes_everything_and_returns_the_port(bool byRefresh)
    {
        await using var turn = TestTurnServer.Start();
        using var peerListener = TcpRelayAssert.StartPeer();
        var control = await turn.ConnectClientAsync();
        uint id = await TcpRelayAssert.AllocateAndConnect(control, peerListener.EndPoint());
        using var peer = await peerListener.AcceptTcpClientAsync();
        await using var data = await turn.ConnectClientAsync();
        Assert.True((await data.ConnectionBindAsync(id)).IsSuccess);
        var relayed = control.RelayedAddress!;
        Assert.Equal(1, turn.Server.TcpPorts.InUse);

        if (byRefresh) Assert.True((await control.RefreshAsync(0)).IsSuccess);
        else await control.DisposeAsync();

        Assert.True(await TcpRelayAssert.IsClosed(peer.GetStream()));
        Assert.True(await TcpRelayAssert.IsClosed(data.Stream));
        Assert.True(await TcpRelayAssert.Eventually(() => turn.Server.TcpPorts.InUse == 0 && turn.Server.AllocationCount == 0));
        using var late = new TcpClient(AddressFamily.InterNetwork);
        await Assert.ThrowsAsync<SocketException>(() => late.ConnectAsync(relayed));
        await control.DisposeAsync();
    }
}
