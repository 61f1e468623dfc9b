using System.Net;
using Switchboard.Protocols.Stun;
using Switchboard.Turn.Tests.Server.Support;
using Switchboard.Turn.Tests.Support;

namespace Switchboard.Turn.Tests.Abuse;

/// <summary>
/// A peer's datagram that no message to the client can carry: an IPv6 peer's 65,505 bytes or more do not fit in a
/// Data indication (RFC 8656 §11.3: a STUN message's length field is 16 bits). It must be dropped and counted,
/// and the relay's receive loop must go on.
/// </summary>
public sealed class OversizedPeerDatagramTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Ipv6_peer_datagram_too_large_for_a_Data_indication_is_dropped_and_counted_and_the_relay_goes_on()
    {
        await using var turn = TestTurnServer.Start(o => { o.MinPort = 30500; o.MaxPort = 30599; });
        await using var client = await turn.ConnectClientAsync();
        using var bystander = turn.UdpClient("bob");
        using var peer = new UdpPeer(IPAddress.IPv6Loopback);
        Assert.True((await client.AllocateUdpAsync(family: 0x02)).IsSuccess);
        Assert.True((await client.CreatePermissionAsync(peer.EndPoint)).IsSuccess);
        bystander.Allocate(family: 0x02).AssertSuccess(StunMethod.Allocate);
        bystander.CreatePermission(peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);

        // The largest that fits: 20 + XOR-PEER-ADDRESS 24 + DATA 4 + 65,504 makes a length field of 65,532.
        peer.SendTo(client.RelayedAddress!, Filled(65_504, 1));
        Assert.Equal(Filled(65_504, 1), await DataAsync(client));

        peer.SendTo(client.RelayedAddress!, Filled(65_505, 2));
        peer.SendTo(client.RelayedAddress!, Filled(65_527, 3)); // the largest UDP payload over IPv6
        await Eventually.True(() => turn.Counts.Dropped("oversized") == 2, "two oversized datagrams dropped and counted");

        peer.SendTo(client.RelayedAddress!, "after"u8.ToArray());
        Assert.Equal("after"u8.ToArray(), await DataAsync(client)); // the next message out is this one: nothing for the two
        peer.SendTo(bystander.RelayedAddress!, "bystander"u8.ToArray());
        Assert.Equal("bystander"u8.ToArray(), bystander.ReceiveData());
    }

    private static async Task<byte[]> DataAsync(TestTurnClient client)
    {
        var indication = await client.WaitForIndicationAsync(StunMethod.Data, Wait);
        Assert.True(indication.TryGet(StunAttributeType.Data, out var data), "a Data indication without DATA");
        return data;
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}
