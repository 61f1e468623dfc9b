using System.Net;
using Switchboard.Protocols.Stun;
using Switchboard.Turn.Allocations;
using Switchboard.Turn.Tests.Server.Support;

namespace Switchboard.Turn.Tests.Server;

/// <summary>ChannelBind (RFC 8656 §12.2) and channel lifetime (§12).</summary>
public sealed class ChannelBindTests : IDisposable
{
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("127.0.0.2"), 5000);
    private static readonly IPEndPoint OtherPeer = new(IPAddress.Parse("127.0.0.3"), 5000);

    private readonly TurnHarness _turn = new(o =>
    {
        o.AllowLoopbackPeers = true;
        o.MaxChannelsPerAllocation = 2;
    });

    public void Dispose() => _turn.Dispose();

    private (TestClient Client, Allocation Allocation) Allocated()
    {
        var client = _turn.Client();
        client.Allocated();
        return (client, client.Connection.Allocation!);
    }

    [Theory]
    [InlineData(0x4000)]
    [InlineData(0x4FFF)]
    [InlineData(0x7FFF)] // RFC 5766 range, still used by older clients
    public void ValidChannel_Binds_AndInstallsPermission(int channel)
    {
        var (client, allocation) = Allocated();

        var response = client.ChannelBind((ushort)channel, Peer).AssertSuccess(StunMethod.ChannelBind);

        Assert.True(response.VerifyIntegrity(client.Key));
        Assert.Equal(1, allocation.ChannelCount);
        Assert.Equal(1, allocation.PermissionCount);
    }

    [Theory]
    [InlineData(0x0000)]
    [InlineData(0x3FFF)]
    [InlineData(0x8000)]
    [InlineData(0xFFFF)]
    public void ChannelOutsideTheRange_Gets400(int channel)
    {
        var (client, allocation) = Allocated();

        client.ChannelBind((ushort)channel, Peer).AssertError(StunMethod.ChannelBind, StunErrorCode.BadRequest);
        Assert.Equal(0, allocation.ChannelCount);
        Assert.Equal(0, allocation.PermissionCount);
    }

    [Fact]
    public void MissingChannelNumber_Gets400()
    {
        var (client, _) = Allocated();

        client.Request(StunMethod.ChannelBind, r => r.XorPeerAddress(Peer)).AssertError(StunMethod.ChannelBind, StunErrorCode.BadRequest);
    }

    [Fact]
    public void MissingPeer_Gets400()
    {
        var (client, allocation) = Allocated();

        client.Request(StunMethod.ChannelBind, r => r.ChannelNumber(0x4000)).AssertError(StunMethod.ChannelBind, StunErrorCode.BadRequest);
        Assert.Equal(0, allocation.ChannelCount);
    }

    [Fact]
    public void SameChannelToAnotherPeer_Gets400()
    {
        var (client, _) = Allocated();
        client.ChannelBind(0x4000, Peer).AssertSuccess(StunMethod.ChannelBind);

        client.ChannelBind(0x4000, OtherPeer).AssertError(StunMethod.ChannelBind, StunErrorCode.BadRequest);
        client.ChannelBind(0x4000, new IPEndPoint(Peer.Address, Peer.Port + 1)).AssertError(StunMethod.ChannelBind, StunErrorCode.BadRequest);
    }

    [Fact]
    public void SamePeerToAnotherChannel_Gets400()
    {
        var (client, allocation) = Allocated();
        client.ChannelBind(0x4000, Peer).AssertSuccess(StunMethod.ChannelBind);

        client.ChannelBind(0x4001, Peer).AssertError(StunMethod.ChannelBind, StunErrorCode.BadRequest);
        Assert.Equal(1, allocation.ChannelCount);
    }

    [Fact]
    public void SameAddressOtherPort_IsAnotherPeer()
    {
        var (client, allocation) = Allocated();
        client.ChannelBind(0x4000, Peer).AssertSuccess(StunMethod.ChannelBind);

        client.ChannelBind(0x4001, new IPEndPoint(Peer.Address, Peer.Port + 1)).AssertSuccess(StunMethod.ChannelBind);

        Assert.Equal(2, allocation.ChannelCount);
        Assert.Equal(1, allocation.PermissionCount);
    }

    [Fact]
    public void RebindingTheSamePair_RefreshesTheChannel()
    {
        var (client, allocation) = Allocated();
        client.ChannelBind(0x4000, Peer).AssertSuccess(StunMethod.ChannelBind);
        _turn.Time.AdvanceSeconds(500);

        client.ChannelBind(0x4000, Peer).AssertSuccess(StunMethod.ChannelBind);
        client.Refresh(3600).AssertSuccess(StunMethod.Refresh);
        _turn.Time.AdvanceSeconds(500);
        _turn.Time.FireTimers();
        Assert.Equal(1, allocation.ChannelCount);

        _turn.Time.AdvanceSeconds(100);
        _turn.Time.FireTimers();
        Assert.Equal(0, allocation.ChannelCount);
    }

    [Fact]
    public void Channel_ExpiresAfter600Seconds_AndThenCanBeBoundElsewhere()
    {
        var (client, allocation) = Allocated();
        client.Refresh(3600).AssertSuccess(StunMethod.Refresh);
        client.ChannelBind(0x4000, Peer).AssertSuccess(StunMethod.ChannelBind);

        _turn.Time.AdvanceSeconds(599);
        _turn.Time.FireTimers();
        Assert.Equal(1, allocation.ChannelCount);
        _turn.Time.AdvanceSeconds(1);
        _turn.Time.FireTimers();
        Assert.Equal(0, allocation.ChannelCount);

        client.Challenge();
        client.ChannelBind(0x4000, OtherPeer).AssertSuccess(StunMethod.ChannelBind);
    }

    [Fact]
    public void Cap_Gets508()
    {
        var (client, allocation) = Allocated();
        client.ChannelBind(0x4000, Peer).AssertSuccess(StunMethod.ChannelBind);
        client.ChannelBind(0x4001, OtherPeer).AssertSuccess(StunMethod.ChannelBind);

        client.ChannelBind(0x4002, new IPEndPoint(IPAddress.Parse("127.0.0.4"), 1)).AssertError(StunMethod.ChannelBind, StunErrorCode.InsufficientCapacity);

        Assert.Equal(2, allocation.ChannelCount);
        client.ChannelBind(0x4001, OtherPeer).AssertSuccess(StunMethod.ChannelBind); // refreshing at the cap works
    }

    [Fact]
    public void NewPeer_WhenPermissionsAreAtTheCap_Gets508()
    {
        using var turn = new TurnHarness(o => { o.AllowLoopbackPeers = true; o.MaxPermissionsPerAllocation = 1; });
        var client = turn.Client();
        client.Allocated();
        client.CreatePermission(Peer).AssertSuccess(StunMethod.CreatePermission);

        client.ChannelBind(0x4000, OtherPeer).AssertError(StunMethod.ChannelBind, StunErrorCode.InsufficientCapacity);
        client.ChannelBind(0x4000, Peer).AssertSuccess(StunMethod.ChannelBind);
    }

    [Fact]
    public void IPv6Peer_OnIPv4Allocation_Gets443()
    {
        var (client, _) = Allocated();

        client.ChannelBind(0x4000, new IPEndPoint(IPAddress.IPv6Loopback, 5000)).AssertError(StunMethod.ChannelBind, StunErrorCode.PeerAddressFamilyMismatch);
    }

    [Fact]
    public void LoopbackPeer_WhenNotAllowed_Gets403()
    {
        using var turn = new TurnHarness();
        var client = turn.Client();
        client.Allocated();

        client.ChannelBind(0x4000, Peer).AssertError(StunMethod.ChannelBind, StunErrorCode.Forbidden);
        Assert.Equal(0, client.Connection.Allocation!.ChannelCount);
    }

    [Fact]
    public void WithoutAllocation_Gets437()
    {
        _turn.Client().ChannelBind(0x4000, Peer).AssertError(StunMethod.ChannelBind, StunErrorCode.AllocationMismatch);
    }
}
