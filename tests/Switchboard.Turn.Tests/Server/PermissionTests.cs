using System.Net;
using Switchboard.Protocols.Stun;
using Switchboard.Turn.Allocations;
using Switchboard.Turn.Tests.Server.Support;

namespace Switchboard.Turn.Tests.Server;

/// <summary>CreatePermission (RFC 8656 §10.2) and permission lifetime (§9).</summary>
public sealed class PermissionTests : IDisposable
{
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("127.0.0.2"), 5000);
    private static readonly IPEndPoint OtherPeer = new(IPAddress.Parse("127.0.0.3"), 5000);

    private readonly TurnHarness _turn = new(o =>
    {
        o.AllowLoopbackPeers = true;
        o.MaxPermissionsPerAllocation = 3;
    });

    public void Dispose() => _turn.Dispose();

    private (TestClient Client, Allocation Allocation) Allocated()
    {
        var client = _turn.Client();
        client.Allocated();
        return (client, client.Connection.Allocation!);
    }

    private bool HasPermission(Allocation allocation, IPEndPoint peer) =>
        allocation.HasPermission(PeerKey.From(peer.Address), _turn.Time.GetUtcNow().ToUnixTimeMilliseconds());

    [Fact]
    public void Success_InstallsPermissionForTheAddress()
    {
        var (client, allocation) = Allocated();

        var response = client.CreatePermission(Peer).AssertSuccess(StunMethod.CreatePermission);

        Assert.True(response.VerifyIntegrity(client.Key));
        Assert.True(HasPermission(allocation, Peer));
        Assert.True(HasPermission(allocation, new IPEndPoint(Peer.Address, 1))); // any port of the address (§9)
        Assert.False(HasPermission(allocation, OtherPeer));
    }

    [Fact]
    public void SeveralPeerAddresses_InstallAll()
    {
        var (client, allocation) = Allocated();

        client.CreatePermission(Peer, OtherPeer).AssertSuccess(StunMethod.CreatePermission);

        Assert.Equal(2, allocation.PermissionCount);
    }

    [Fact]
    public void WithoutPeerAddress_Gets400()
    {
        var (client, allocation) = Allocated();

        client.Request(StunMethod.CreatePermission).AssertError(StunMethod.CreatePermission, StunErrorCode.BadRequest);
        Assert.Equal(0, allocation.PermissionCount);
    }

    [Fact]
    public void MalformedPeerAddress_Gets400()
    {
        var (client, _) = Allocated();

        client.Request(StunMethod.CreatePermission, r => r.Add(StunAttributeType.XorPeerAddress, [0, 1, 0]))
            .AssertError(StunMethod.CreatePermission, StunErrorCode.BadRequest);
    }

    [Fact]
    public void IPv6Peer_OnIPv4Allocation_Gets443()
    {
        var (client, allocation) = Allocated();

        client.CreatePermission(new IPEndPoint(IPAddress.IPv6Loopback, 5000))
            .AssertError(StunMethod.CreatePermission, StunErrorCode.PeerAddressFamilyMismatch);
        Assert.Equal(0, allocation.PermissionCount);
    }

    [Fact]
    public void IPv6Peer_OnDualAllocation_Works()
    {
        var client = _turn.Client();
        client.Allocated(r => r.Add(StunAttributeType.AdditionalAddressFamily, [2, 0, 0, 0]));

        client.CreatePermission(Peer, new IPEndPoint(IPAddress.IPv6Loopback, 5000)).AssertSuccess(StunMethod.CreatePermission);
    }

    [Fact]
    public void OneBadPeer_FailsTheWholeRequest()
    {
        var (client, allocation) = Allocated();

        client.CreatePermission(Peer, new IPEndPoint(IPAddress.IPv6Loopback, 5000))
            .AssertError(StunMethod.CreatePermission, StunErrorCode.PeerAddressFamilyMismatch);
        Assert.Equal(0, allocation.PermissionCount);
    }

    [Fact]
    public void LoopbackPeer_WhenNotAllowed_Gets403()
    {
        using var turn = new TurnHarness(o => o.AllowLoopbackPeers = false);
        var client = turn.Client();
        client.Allocated();

        var response = client.CreatePermission(Peer).AssertError(StunMethod.CreatePermission, StunErrorCode.Forbidden);

        Assert.True(response.VerifyIntegrity(client.Key));
        Assert.Equal(0, client.Connection.Allocation!.PermissionCount);
    }

    [Fact]
    public void Cap_Gets508_ButRefreshingAtTheCapWorks()
    {
        var (client, allocation) = Allocated();
        client.CreatePermission(Peer, OtherPeer, new IPEndPoint(IPAddress.Parse("127.0.0.4"), 1)).AssertSuccess(StunMethod.CreatePermission);

        client.CreatePermission(new IPEndPoint(IPAddress.Parse("127.0.0.5"), 1)).AssertError(StunMethod.CreatePermission, StunErrorCode.InsufficientCapacity);

        Assert.Equal(3, allocation.PermissionCount);
        client.CreatePermission(Peer).AssertSuccess(StunMethod.CreatePermission);
    }

    [Fact]
    public void SamePeerTwiceInOneRequest_CountsOnce()
    {
        var (client, allocation) = Allocated();
        client.CreatePermission(Peer, OtherPeer).AssertSuccess(StunMethod.CreatePermission);
        var third = new IPEndPoint(IPAddress.Parse("127.0.0.4"), 1);

        client.CreatePermission(third, new IPEndPoint(third.Address, 2)).AssertSuccess(StunMethod.CreatePermission);

        Assert.Equal(3, allocation.PermissionCount);
    }

    [Fact]
    public void WithoutAllocation_Gets437()
    {
        _turn.Client().CreatePermission(Peer).AssertError(StunMethod.CreatePermission, StunErrorCode.AllocationMismatch);
    }

    [Fact]
    public void ByAnotherUser_Gets441()
    {
        var (client, _) = Allocated();
        client.Username = "bob";
        client.Password = "pw";

        client.CreatePermission(Peer).AssertError(StunMethod.CreatePermission, StunErrorCode.WrongCredentials);
    }

    [Fact]
    public void Permission_ExpiresAfter300Seconds()
    {
        var (client, allocation) = Allocated();
        client.CreatePermission(Peer).AssertSuccess(StunMethod.CreatePermission);

        _turn.Time.AdvanceSeconds(299);
        _turn.Time.FireTimers();
        Assert.True(HasPermission(allocation, Peer));

        _turn.Time.AdvanceSeconds(1);
        Assert.False(HasPermission(allocation, Peer)); // gone at once, before any sweep
        _turn.Time.FireTimers();
        Assert.Equal(0, allocation.PermissionCount);
    }

    [Fact]
    public void Permission_IsRefreshedByAnotherCreatePermission()
    {
        var (client, allocation) = Allocated();
        client.CreatePermission(Peer).AssertSuccess(StunMethod.CreatePermission);
        _turn.Time.AdvanceSeconds(200);

        client.CreatePermission(Peer).AssertSuccess(StunMethod.CreatePermission);
        _turn.Time.AdvanceSeconds(200);
        _turn.Time.FireTimers();

        Assert.True(HasPermission(allocation, Peer));
    }
}
