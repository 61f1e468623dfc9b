using System.Net;
using System.Net.Sockets;
using Switchboard.Protocols.Stun;
using Switchboard.Turn.Tests.Server.Support;

namespace Switchboard.Turn.Tests.Server;

/// <summary>Refresh (RFC 8656 §8.2) and the end of allocations by their lifetime.</summary>
public sealed class RefreshTests : IDisposable
{
    private readonly TurnHarness _turn = new();

    public void Dispose() => _turn.Dispose();

    private static byte[] Family(byte family) => [family, 0, 0, 0];

    [Fact]
    public void WithoutAllocation_Gets437()
    {
        var client = _turn.Client();

        var response = client.Refresh().AssertError(StunMethod.Refresh, StunErrorCode.AllocationMismatch);

        Assert.True(response.VerifyIntegrity(client.Key));
    }

    [Fact]
    public void ByAnotherUser_Gets441()
    {
        var client = _turn.Client();
        client.Allocated();
        client.Username = "bob";
        client.Password = "pw";

        var response = client.Refresh().AssertError(StunMethod.Refresh, StunErrorCode.WrongCredentials, "Wrong Credentials");

        Assert.True(response.VerifyIntegrity(client.Key));
        Assert.Equal(1, _turn.Server.AllocationCount);
    }

    [Fact]
    public void WithoutLifetime_SetsTheDefault()
    {
        var client = _turn.Client();
        client.Allocated(r => r.Lifetime(3000));

        var response = client.Refresh().AssertSuccess(StunMethod.Refresh);

        Assert.Equal(600u, response.GetUInt32(StunAttributeType.Lifetime));
        Assert.True(response.VerifyIntegrity(client.Key));
    }

    [Theory]
    [InlineData(1u, 600u)]
    [InlineData(599u, 600u)]
    [InlineData(601u, 601u)]
    [InlineData(100000u, 3600u)]
    public void Lifetime_IsClampedBetweenDefaultAndMaximum(uint asked, uint granted)
    {
        // RFC 8656 §8.2: the "desired lifetime" is min(requested, maximum), but never below the default.
        var client = _turn.Client();
        client.Allocated();

        var response = client.Refresh(asked).AssertSuccess(StunMethod.Refresh);

        Assert.Equal(granted, response.GetUInt32(StunAttributeType.Lifetime));
        Assert.Equal(granted, (uint)client.Connection.Allocation!.LifetimeSeconds);
    }

    [Fact]
    public void LifetimeZero_DeletesTheAllocationAndFreesThePort()
    {
        var client = _turn.Client();
        var relayed = client.Allocated().GetXorAddress(StunAttributeType.XorRelayedAddress);
        Assert.Equal(1, _turn.Server.UdpPorts.InUse);

        var response = client.Refresh(0).AssertSuccess(StunMethod.Refresh);

        Assert.Equal(0u, response.GetUInt32(StunAttributeType.Lifetime));
        Assert.True(response.VerifyIntegrity(client.Key));
        Assert.Equal(0, _turn.Server.AllocationCount);
        Assert.Equal(0, _turn.Server.UdpPorts.InUse);
        Assert.Null(client.Connection.Allocation);
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)) probe.Bind(relayed);

        client.Refresh().AssertError(StunMethod.Refresh, StunErrorCode.AllocationMismatch);
        client.Allocated(); // and the 5-tuple can allocate again
    }

    [Fact]
    public void LifetimeZero_OfDualAllocation_FreesBothPorts()
    {
        var client = _turn.Client();
        client.Allocated(r => r.Add(StunAttributeType.AdditionalAddressFamily, Family(2)));
        Assert.Equal(2, _turn.Server.UdpPorts.InUse);

        client.Refresh(0).AssertSuccess(StunMethod.Refresh);

        Assert.Equal(0, _turn.Server.UdpPorts.InUse);
    }

    [Fact]
    public void RequestedAddressFamilyOfAnotherFamily_Gets443()
    {
        var client = _turn.Client();
        client.Allocated();

        client.Refresh(attributes: r => r.Add(StunAttributeType.RequestedAddressFamily, Family(2)))
            .AssertError(StunMethod.Refresh, StunErrorCode.PeerAddressFamilyMismatch, "Peer Address Family Mismatch");
        client.Refresh(attributes: r => r.Add(StunAttributeType.RequestedAddressFamily, Family(1))).AssertSuccess(StunMethod.Refresh);
    }

    [Fact]
    public void RequestedAddressFamilyIPv4_OnIPv6Allocation_Gets443()
    {
        var client = _turn.Client();
        client.Allocated(r => r.Add(StunAttributeType.RequestedAddressFamily, Family(2)));

        client.Refresh(attributes: r => r.Add(StunAttributeType.RequestedAddressFamily, Family(1)))
            .AssertError(StunMethod.Refresh, StunErrorCode.PeerAddressFamilyMismatch);
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x03)]
    public void RequestedAddressFamilyOfNoFamily_Gets443(byte family)
    {
        // §8.2: a REQUESTED-ADDRESS-FAMILY that does not match the allocation's family gets 443.
        var client = _turn.Client();
        client.Allocated();

        client.Refresh(attributes: r => r.Add(StunAttributeType.RequestedAddressFamily, Family(family)))
            .AssertError(StunMethod.Refresh, StunErrorCode.PeerAddressFamilyMismatch);
    }

    [Fact]
    public void MalformedLifetime_Gets400()
    {
        var client = _turn.Client();
        client.Allocated();

        client.Request(StunMethod.Refresh, r => r.Add(StunAttributeType.Lifetime, [0, 0])).AssertError(StunMethod.Refresh, StunErrorCode.BadRequest);
        Assert.Equal(1, _turn.Server.AllocationCount);
    }

    [Fact]
    public void Expiry_DeletesTheAllocationAndFreesThePort()
    {
        var client = _turn.Client();
        client.Allocated();
        _turn.Time.AdvanceSeconds(599);
        _turn.Time.FireTimers();
        Assert.Equal(1, _turn.Server.AllocationCount);

        _turn.Time.AdvanceSeconds(1);
        _turn.Time.FireTimers();

        Assert.Equal(0, _turn.Server.AllocationCount);
        Assert.Equal(0, _turn.Server.UdpPorts.InUse);
        Assert.Null(client.Connection.Allocation);
        client.Challenge(); // the nonce is as old as the allocation
        client.Refresh().AssertError(StunMethod.Refresh, StunErrorCode.AllocationMismatch);
    }

    [Fact]
    public void Refresh_PostponesExpiry()
    {
        var client = _turn.Client();
        client.Allocated();
        _turn.Time.AdvanceSeconds(500);
        client.Refresh().AssertSuccess(StunMethod.Refresh);

        _turn.Time.AdvanceSeconds(500);
        _turn.Time.FireTimers();
        Assert.Equal(1, _turn.Server.AllocationCount);

        _turn.Time.AdvanceSeconds(101);
        _turn.Time.FireTimers();
        Assert.Equal(0, _turn.Server.AllocationCount);
    }

    [Fact]
    public void Expiry_GivesBackTheUserQuota()
    {
        using var turn = new TurnHarness(o => o.UserQuota = 1);
        turn.Client().Allocated();
        turn.Time.AdvanceSeconds(601);
        turn.Time.FireTimers();

        turn.Client().Allocated();
    }

    [Fact]
    public void ServerDispose_EndsAllAllocations()
    {
        var turn = new TurnHarness();
        var client = turn.Client();
        var relayed = client.Allocated().GetXorAddress(StunAttributeType.XorRelayedAddress);

        turn.Dispose();

        Assert.Equal(0, turn.Server.AllocationCount);
        Assert.Equal(0, turn.Server.UdpPorts.InUse);
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, relayed.Port));
    }
}
