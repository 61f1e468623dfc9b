using Switchboard.Protocols.Stun;
using Switchboard.Turn.Tests.Server.Support;
using Switchboard.Turn.Tests.Support;

namespace Switchboard.Turn.Tests.Abuse;

/// <summary>
/// A TLS client that allocates, lets a peer flood its relay and stops reading: the server's writes to it must not
/// wait for it. Its send queue fills, it is dropped and its allocation ends, while another allocation keeps relaying.
/// </summary>
public sealed class StalledReaderTests
{
    /// <summary>The flood's bound: 40,000 datagrams of 1,200 bytes (48 MB), far more than kernel buffers and the queue hold.</summary>
    private const int MaxFloodDatagrams = 40_000;

    [Fact]
    public async Task Tls_client_that_stops_reading_while_a_peer_floods_it_is_dropped_and_a_bystander_keeps_relaying()
    {
        await using var turn = TestTurnServer.Start(o => { o.MinPort = 30900; o.MaxPort = 30999; }, tls: true);
        using var peer = new UdpPeer();
        await using var stalled = await TestTurnClient.ConnectAsync(turn.TlsEndPoint, tls: true, receiveBufferSize: 4096);
        Assert.True((await stalled.AllocateUdpAsync()).IsSuccess);
        Assert.True((await stalled.CreatePermissionAsync(peer.EndPoint)).IsSuccess);
        using var bystander = turn.UdpClient("bob");
        bystander.Allocate().AssertSuccess(StunMethod.Allocate);
        bystander.CreatePermission(peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);

        // The stalled client reads nothing from here on.
        var payload = new byte[1200];
        int sent = 0;
        while (sent < MaxFloodDatagrams && turn.TlsListener.ConnectionCount > 0)
        {
            peer.SendTo(stalled.RelayedAddress!, payload);
            if (++sent % 100 == 0)
            {
                await Task.Delay(1); // let the relay keep up rather than the kernel drop
                if (sent % 10_000 == 0)
                {
                    peer.SendTo(bystander.RelayedAddress!, "during"u8.ToArray());
                    Assert.Equal("during"u8.ToArray(), bystander.ReceiveData());
                }
            }
        }

        await Eventually.True(() => turn.TlsListener.ConnectionCount == 0, $"the stalled client dropped (after {sent} datagrams)", 20_000);
        await Eventually.True(() => turn.Server.AllocationCount == 1, "its allocation ended");
        Assert.Equal(1, turn.Counts["switchboard.turn.connections.closed", "send_queue_full"]);
        Assert.Equal(1, turn.Server.UdpPorts.InUse);
        peer.SendTo(bystander.RelayedAddress!, "after"u8.ToArray());
        Assert.Equal("after"u8.ToArray(), bystander.ReceiveData());
    }
}
