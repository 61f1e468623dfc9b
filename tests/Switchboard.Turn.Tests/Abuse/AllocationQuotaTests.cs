using Switchboard.Protocols.Stun;
using Switchboard.Turn.Tests.Server.Support;
using Switchboard.Turn.Tests.Support;

namespace Switchboard.Turn.Tests.Abuse;

/// <summary>
/// One user asking for every relay port, against a real server with the default quotas: 12 allocations per user,
/// and in total as many as the relay port range has ports.
/// </summary>
public sealed class AllocationQuotaTests
{
    [Fact]
    public async Task One_user_gets_486_after_12_allocations_by_default_and_another_user_still_relays()
    {
        await using var turn = TestTurnServer.Start(o => { o.MinPort = 30700; o.MaxPort = 30799; });
        using var peer = new UdpPeer();
        var clients = new List<UdpTurnClient>();
        try
        {
            for (int i = 0; i < 12; i++)
            {
                clients.Add(turn.UdpClient());
                clients[^1].Allocate().AssertSuccess(StunMethod.Allocate);
            }
            clients.Add(turn.UdpClient());
            clients[^1].Allocate().AssertError(StunMethod.Allocate, StunErrorCode.AllocationQuotaReached);
            Assert.Equal(1, turn.Counts["switchboard.turn.quota.rejections", "user"]);
            Assert.Equal(12, turn.Server.UdpPorts.InUse);

            using var bystander = turn.UdpClient("bob");
            bystander.Allocate().AssertSuccess(StunMethod.Allocate);
            bystander.CreatePermission(peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);
            peer.SendTo(bystander.RelayedAddress!, "bystander"u8.ToArray());
            Assert.Equal("bystander"u8.ToArray(), bystander.ReceiveData());
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    [Fact]
    public async Task The_total_is_the_number_of_relay_ports_by_default_and_beyond_it_allocations_get_486()
    {
        await using var turn = TestTurnServer.Start(o =>
        {
            o.MinPort = 30800;
            o.MaxPort = 30815; // 16 ports
            o.Users = ["alice:secret", "bob:secret", "carol:secret"];
        });
        var clients = new List<UdpTurnClient>();
        try
        {
            foreach (var (user, count) in new[] { ("alice", 12), ("bob", 4) })
            {
                for (int i = 0; i < count; i++)
                {
                    clients.Add(turn.UdpClient(user));
                    clients[^1].Allocate().AssertSuccess(StunMethod.Allocate);
                }
            }
            clients.Add(turn.UdpClient("carol"));
            clients[^1].Allocate().AssertError(StunMethod.Allocate, StunErrorCode.AllocationQuotaReached);
            Assert.Equal(1, turn.Counts["switchboard.turn.quota.rejections", "total"]);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }
}
