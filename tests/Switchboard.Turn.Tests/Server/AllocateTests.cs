using System.Net;
using System.Net.Sockets;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;
using Switchboard.Turn.Tests.Server.Support;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn.Tests.Server;

/// <summary>Allocate (RFC 8656 §7.2): every check in order, the relayed addresses, lifetimes, reservations and quotas.</summary>
public sealed class AllocateTests : IDisposable
{
    private readonly TurnHarness _turn = new();

    public void Dispose() => _turn.Dispose();

    private static byte[] Family(byte family) => [family, 0, 0, 0];

    [Fact]
    public void Success_HasRelayedAddressLifetimeAndMappedAddress()
    {
        var client = _turn.Client();

        var response = client.Allocated();

        var relayed = Assert.Single(response.GetXorAddresses(StunAttributeType.XorRelayedAddress));
        Assert.Equal(IPAddress.Loopback, relayed.Address);
        Assert.InRange(relayed.Port, _turn.Options.MinPort, _turn.Options.MaxPort);
        Assert.Equal(600u, response.GetUInt32(StunAttributeType.Lifetime));
        Assert.Equal(client.Connection.RemoteEndPoint, response.GetXorAddress(StunAttributeType.XorMappedAddress));
        Assert.False(response.Has(StunAttributeType.ReservationToken));
        Assert.Equal(1, _turn.Server.UdpPorts.InUse);
        Assert.Equal(relayed.Port, client.Connection.Allocation!.RelayV4!.LocalEndPoint.Port);
        AssertPortTaken(relayed);
    }

    [Theory]
    [InlineData(0u, 600u)]
    [InlineData(1u, 600u)]
    [InlineData(599u, 600u)]
    [InlineData(1200u, 1200u)]
    [InlineData(3600u, 3600u)]
    [InlineData(100000u, 3600u)]
    [InlineData(uint.MaxValue, 3600u)]
    public void Lifetime_IsClampedBetweenDefaultAndMaximum(uint asked, uint granted)
    {
        var response = _turn.Client().Allocated(r => r.Lifetime(asked));

        Assert.Equal(granted, response.GetUInt32(StunAttributeType.Lifetime));
    }

    [Fact]
    public void Retransmission_GetsTheSameSuccess()
    {
        var client = _turn.Client();
        var transaction = new StunRequest(StunMethod.Allocate).TransactionId;
        var first = client.Allocate(transactionId: transaction).AssertSuccess(StunMethod.Allocate);

        var again = client.Allocate(transactionId: transaction).AssertSuccess(StunMethod.Allocate);

        Assert.Equal(first.GetXorAddress(StunAttributeType.XorRelayedAddress), again.GetXorAddress(StunAttributeType.XorRelayedAddress));
        Assert.Equal(first.GetUInt32(StunAttributeType.Lifetime), again.GetUInt32(StunAttributeType.Lifetime));
        Assert.Equal(first.GetXorAddress(StunAttributeType.XorMappedAddress), again.GetXorAddress(StunAttributeType.XorMappedAddress));
        Assert.True(again.VerifyIntegrity(client.Key));
        Assert.Equal(1, _turn.Server.AllocationCount);
        Assert.Equal(1, _turn.Server.UdpPorts.InUse);
    }

    [Fact]
    public void Retransmission_RepeatsTheReservationToken()
    {
        // RFC 8656 §7.2: a retransmitted Allocate gets the same success; if the first one was lost, the
        // retransmission is the only way the client learns the token.
        var client = _turn.Client();
        var transaction = new StunRequest(StunMethod.Allocate).TransactionId;
        var first = client.Allocate(r => r.Add(StunAttributeType.EvenPort, [0x80]), transaction).AssertSuccess(StunMethod.Allocate);

        var again = client.Allocate(r => r.Add(StunAttributeType.EvenPort, [0x80]), transaction).AssertSuccess(StunMethod.Allocate);

        Assert.Equal(first.GetUInt64(StunAttributeType.ReservationToken), again.GetUInt64(StunAttributeType.ReservationToken));
        Assert.Equal(2, _turn.Server.UdpPorts.InUse);
    }

    [Fact]
    public void Retransmission_RepeatsTheAddressErrorCode()
    {
        using var turn = new TurnHarness(o => o.RelayAddressV6 = null);
        var client = turn.Client();
        var transaction = new StunRequest(StunMethod.Allocate).TransactionId;
        var first = client.Allocate(r => r.Add(StunAttributeType.AdditionalAddressFamily, Family(0x02)), transaction).AssertSuccess(StunMethod.Allocate);

        var again = client.Allocate(r => r.Add(StunAttributeType.AdditionalAddressFamily, Family(0x02)), transaction).AssertSuccess(StunMethod.Allocate);

        Assert.Equal(first.Get(StunAttributeType.AddressErrorCode), again.Get(StunAttributeType.AddressErrorCode));
    }

    [Fact]
    public void Retransmission_IsAnsweredWhileDraining()
    {
        var client = _turn.Client();
        var transaction = new StunRequest(StunMethod.Allocate).TransactionId;
        client.Allocate(transactionId: transaction).AssertSuccess(StunMethod.Allocate);
        _turn.Server.StartDraining();

        client.Allocate(transactionId: transaction).AssertSuccess(StunMethod.Allocate);
    }

    [Fact]
    public void SecondAllocateOnTheSameFiveTuple_Gets437()
    {
        var client = _turn.Client();
        client.Allocated();

        var response = client.Allocate().AssertError(StunMethod.Allocate, StunErrorCode.AllocationMismatch, "Allocation Mismatch");

        Assert.True(response.VerifyIntegrity(client.Key));
        Assert.Equal(1, _turn.Server.AllocationCount);
    }

    [Fact]
    public void SameAddressOtherPort_IsAnotherFiveTuple()
    {
        _turn.Client().Allocated();
        _turn.Client().Allocated();

        Assert.Equal(2, _turn.Server.AllocationCount);
    }

    [Fact]
    public void MissingRequestedTransport_Gets400()
    {
        var client = _turn.Client();

        client.Request(StunMethod.Allocate).AssertError(StunMethod.Allocate, StunErrorCode.BadRequest);
        Assert.Equal(0, _turn.Server.AllocationCount);
    }

    [Fact]
    public void MalformedRequestedTransport_Gets400()
    {
        var client = _turn.Client();

        client.Allocate(r => r.Add(StunAttributeType.RequestedTransport, [17])).AssertError(StunMethod.Allocate, StunErrorCode.BadRequest);
    }

    [Fact]
    public void UnsupportedTransport_Gets442()
    {
        _turn.Client().Allocate(r => r.RequestedTransport(99))
            .AssertError(StunMethod.Allocate, StunErrorCode.UnsupportedTransportProtocol, "Unsupported Transport Protocol");
    }

    [Fact]
    public void TcpRelayOverUdp_Gets400()
    {
        _turn.Client().Allocate(r => r.RequestedTransport(TurnAttributes.TransportTcp)).AssertError(StunMethod.Allocate, StunErrorCode.BadRequest);
    }

    [Fact]
    public void TcpRelay_WhenDisabled_Gets442()
    {
        using var turn = new TurnHarness(o => o.AllowTcpRelay = false);

        turn.Client(transport: ClientTransport.Tcp).Allocate(r => r.RequestedTransport(TurnAttributes.TransportTcp))
            .AssertError(StunMethod.Allocate, StunErrorCode.UnsupportedTransportProtocol);
    }

    [Fact]
    public void UdpRelayOverTcp_Works()
    {
        var client = _turn.Client(transport: ClientTransport.Tcp);

        client.Allocated();
    }

    [Fact]
    public void RequestedAddressFamilyIPv6_GetsIPv6RelayedAddress()
    {
        var response = _turn.Client().Allocated(r => r.Add(StunAttributeType.RequestedAddressFamily, Family(0x02)));

        var relayed = Assert.Single(response.GetXorAddresses(StunAttributeType.XorRelayedAddress));
        Assert.Equal(IPAddress.IPv6Loopback, relayed.Address);
        AssertPortTaken(relayed);
    }

    [Fact]
    public void RequestedAddressFamilyIPv4_GetsIPv4RelayedAddress()
    {
        var response = _turn.Client().Allocated(r => r.Add(StunAttributeType.RequestedAddressFamily, Family(0x01)));

        Assert.Equal(IPAddress.Loopback, Assert.Single(response.GetXorAddresses(StunAttributeType.XorRelayedAddress)).Address);
    }

    [Fact]
    public void UnknownAddressFamily_Gets440()
    {
        _turn.Client().Allocate(r => r.Add(StunAttributeType.RequestedAddressFamily, Family(0x03)))
            .AssertError(StunMethod.Allocate, StunErrorCode.AddressFamilyNotSupported, "Address Family not Supported");
    }

    [Fact]
    public void IPv6_WithoutIPv6Relay_Gets440()
    {
        using var turn = new TurnHarness(o => o.RelayAddressV6 = null);

        turn.Client().Allocate(r => r.Add(StunAttributeType.RequestedAddressFamily, Family(0x02)))
            .AssertError(StunMethod.Allocate, StunErrorCode.AddressFamilyNotSupported);
    }

    [Fact]
    public void RequestedAndAdditionalAddressFamily_Together_Get400()
    {
        _turn.Client().Allocate(r => r
                .Add(StunAttributeType.RequestedAddressFamily, Family(0x01))
                .Add(StunAttributeType.AdditionalAddressFamily, Family(0x02)))
            .AssertError(StunMethod.Allocate, StunErrorCode.BadRequest);
        Assert.Equal(0, _turn.Server.UdpPorts.InUse);
    }

    [Fact]
    public void AdditionalAddressFamilyIPv6_GetsDualAllocation()
    {
        var client = _turn.Client();

        var response = client.Allocated(r => r.Add(StunAttributeType.AdditionalAddressFamily, Family(0x02)));

        var relayed = response.GetXorAddresses(StunAttributeType.XorRelayedAddress);
        Assert.Equal(2, relayed.Count);
        Assert.Equal(IPAddress.Loopback, relayed[0].Address);
        Assert.Equal(IPAddress.IPv6Loopback, relayed[1].Address);
        Assert.False(response.Has(StunAttributeType.AddressErrorCode));
        Assert.Equal(2, _turn.Server.UdpPorts.InUse);
        Assert.True(client.Connection.Allocation!.HasRelayFor(AddressFamily.InterNetwork));
        Assert.True(client.Connection.Allocation!.HasRelayFor(AddressFamily.InterNetworkV6));
    }

    [Fact]
    public void AdditionalAddressFamilyIPv4_Gets400()
    {
        _turn.Client().Allocate(r => r.Add(StunAttributeType.AdditionalAddressFamily, Family(0x01)))
            .AssertError(StunMethod.Allocate, StunErrorCode.BadRequest);
    }

    [Fact]
    public void DualAllocation_WithoutIPv6Relay_GetsIPv4AndAddressErrorCode440()
    {
        using var turn = new TurnHarness(o => o.RelayAddressV6 = null);

        var response = turn.Client().Allocated(r => r.Add(StunAttributeType.AdditionalAddressFamily, Family(0x02)));

        Assert.Equal(IPAddress.Loopback, Assert.Single(response.GetXorAddresses(StunAttributeType.XorRelayedAddress)).Address);
        var error = response.Get(StunAttributeType.AddressErrorCode);
        Assert.Equal(0x02, error[0]);
        Assert.Equal(StunErrorCode.AddressFamilyNotSupported, error[2] * 100 + error[3]);
        Assert.Equal(1, turn.Server.UdpPorts.InUse);
    }

    [Fact]
    public void EvenPort_GetsEvenPort()
    {
        for (int i = 0; i < 8; i++)
        {
            var response = _turn.Client().Allocated(r => r.Add(StunAttributeType.EvenPort, [0x00]));

            Assert.Equal(0, response.GetXorAddress(StunAttributeType.XorRelayedAddress).Port % 2);
            Assert.False(response.Has(StunAttributeType.ReservationToken));
        }
    }

    [Fact]
    public void EvenPortWithReserveBit_GetsTokenThatAllocatesTheNextPort()
    {
        var first = _turn.Client().Allocated(r => r.Add(StunAttributeType.EvenPort, [0x80]));
        int port = first.GetXorAddress(StunAttributeType.XorRelayedAddress).Port;
        Assert.Equal(0, port % 2);
        ulong token = first.GetUInt64(StunAttributeType.ReservationToken);
        Assert.Equal(2, _turn.Server.UdpPorts.InUse); // the next port is held

        var second = _turn.Client().Allocated(r => r.AddUInt64(StunAttributeType.ReservationToken, token));

        Assert.Equal(port + 1, second.GetXorAddress(StunAttributeType.XorRelayedAddress).Port);
        Assert.Equal(2, _turn.Server.UdpPorts.InUse);
        AssertPortTaken(second.GetXorAddress(StunAttributeType.XorRelayedAddress));

        // A token is good once.
        _turn.Client().Allocate(r => r.AddUInt64(StunAttributeType.ReservationToken, token))
            .AssertError(StunMethod.Allocate, StunErrorCode.InsufficientCapacity);
    }

    [Fact]
    public void ReservationMadeByIPv6Allocation_AllocatesTheNextIPv6Port()
    {
        // §7.2: the token names the reserved relayed transport address, family included.
        var first = _turn.Client().Allocated(r => r.Add(StunAttributeType.RequestedAddressFamily, Family(0x02)).Add(StunAttributeType.EvenPort, [0x80]));
        var relayed = first.GetXorAddress(StunAttributeType.XorRelayedAddress);
        Assert.Equal(IPAddress.IPv6Loopback, relayed.Address);

        var second = _turn.Client().Allocated(r => r.AddUInt64(StunAttributeType.ReservationToken, first.GetUInt64(StunAttributeType.ReservationToken)));

        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, relayed.Port + 1), second.GetXorAddress(StunAttributeType.XorRelayedAddress));
    }

    [Fact]
    public void UnclaimedReservation_IsFreedAfter30Seconds()
    {
        var first = _turn.Client().Allocated(r => r.Add(StunAttributeType.EvenPort, [0x80]));
        ulong token = first.GetUInt64(StunAttributeType.ReservationToken);
        _turn.Time.AdvanceSeconds(29);
        _turn.Time.FireTimers();
        Assert.Equal(2, _turn.Server.UdpPorts.InUse);

        _turn.Time.AdvanceSeconds(2);
        _turn.Time.FireTimers();

        Assert.Equal(1, _turn.Server.UdpPorts.InUse);
        _turn.Client().Allocate(r => r.AddUInt64(StunAttributeType.ReservationToken, token))
            .AssertError(StunMethod.Allocate, StunErrorCode.InsufficientCapacity);
    }

    [Fact]
    public void ReservationTokenWithEvenPort_Gets400()
    {
        _turn.Client().Allocate(r => r.AddUInt64(StunAttributeType.ReservationToken, 42).Add(StunAttributeType.EvenPort, [0x00]))
            .AssertError(StunMethod.Allocate, StunErrorCode.BadRequest);
    }

    [Fact]
    public void ReservationTokenWithAddressFamily_Gets400()
    {
        _turn.Client().Allocate(r => r.AddUInt64(StunAttributeType.ReservationToken, 42).Add(StunAttributeType.RequestedAddressFamily, Family(1)))
            .AssertError(StunMethod.Allocate, StunErrorCode.BadRequest);
    }

    [Fact]
    public void UnknownReservationToken_Gets508_AndGivesBackTheQuota()
    {
        using var turn = new TurnHarness(o => o.TotalQuota = 1);
        var client = turn.Client();

        client.Allocate(r => r.AddUInt64(StunAttributeType.ReservationToken, 0x0102030405060708))
            .AssertError(StunMethod.Allocate, StunErrorCode.InsufficientCapacity, "Insufficient Capacity");

        Assert.Equal(0, turn.Server.AllocationCount);
        turn.Client().Allocated();
    }

    [Fact]
    public void DontFragment_IsAccepted()
    {
        var response = _turn.Client().Allocated(r => r.Add(StunAttributeType.DontFragment, []));

        Assert.True(response.Has(StunAttributeType.XorRelayedAddress));
    }

    [Fact]
    public void UserQuota_Gets486_PerUser()
    {
        using var turn = new TurnHarness(o => o.UserQuota = 1);
        var first = turn.Client();
        first.Allocated();

        turn.Client().Allocate().AssertError(StunMethod.Allocate, StunErrorCode.AllocationQuotaReached, "Allocation Quota Reached");
        turn.Client("bob", "pw").Allocated();

        first.Refresh(0).AssertSuccess(StunMethod.Refresh);
        turn.Client().Allocated();
    }

    [Fact]
    public void UserQuota_CountsRestUsersByTheNameAfterTheColon()
    {
        using var turn = new TurnHarness(o => o.UserQuota = 1);
        var (user1, password1) = TestClient.RestCredentials("rest1", "carol", turn.Time.UnixSeconds + 600);
        var (user2, password2) = TestClient.RestCredentials("rest2", "carol", turn.Time.UnixSeconds + 700);
        var (user3, password3) = TestClient.RestCredentials("rest1", "dave", turn.Time.UnixSeconds + 600);
        turn.Client(user1, password1).Allocated();

        turn.Client(user2, password2).Allocate().AssertError(StunMethod.Allocate, StunErrorCode.AllocationQuotaReached);
        turn.Client(user3, password3).Allocated();
    }

    [Fact]
    public void TotalQuota_Gets486()
    {
        using var turn = new TurnHarness(o => o.TotalQuota = 2);
        turn.Client().Allocated();
        var second = turn.Client("bob", "pw");
        second.Allocated();

        turn.Client("bob", "pw").Allocate().AssertError(StunMethod.Allocate, StunErrorCode.AllocationQuotaReached);

        turn.Server.HandleClosed(second.Connection);
        turn.Client("bob", "pw").Allocated();
    }

    [Fact]
    public void PortRangeExhausted_Gets508_UntilAPortIsFree()
    {
        // A total above the range's two ports, so that the ports run out first (the default total is one per port).
        using var turn = new TurnHarness(o => o.TotalQuota = 10, relayPorts: 2);
        var first = turn.Client();
        first.Allocated();
        turn.Client().Allocated();

        turn.Client().Allocate().AssertError(StunMethod.Allocate, StunErrorCode.InsufficientCapacity);
        Assert.Equal(2, turn.Server.AllocationCount);

        first.Refresh(0).AssertSuccess(StunMethod.Refresh);
        turn.Client().Allocated();
    }

    [Fact]
    public void EvenPortWithReserveBit_WithoutTwoFreeAdjacentPorts_Gets508()
    {
        using var turn = new TurnHarness(relayPorts: 1);

        turn.Client().Allocate(r => r.Add(StunAttributeType.EvenPort, [0x80]))
            .AssertError(StunMethod.Allocate, StunErrorCode.InsufficientCapacity);
        Assert.Equal(0, turn.Server.UdpPorts.InUse);
    }

    [Fact]
    public void Draining_Gets508_ButExistingAllocationsGoOn()
    {
        var existing = _turn.Client();
        existing.Allocated();

        _turn.Server.StartDraining();

        var refused = _turn.Client().Allocate().AssertError(StunMethod.Allocate, StunErrorCode.InsufficientCapacity);
        Assert.Contains("Draining", refused.Reason);
        existing.Refresh().AssertSuccess(StunMethod.Refresh);
        Assert.True(_turn.Server.IsDraining);
        Assert.Equal(1, _turn.Server.AllocationCount);
    }

    [Fact]
    public void ClosingTheConnection_EndsTheAllocation()
    {
        var client = _turn.Client(transport: ClientTransport.Tcp);
        client.Allocated();

        _turn.Server.HandleClosed(client.Connection);

        Assert.Equal(0, _turn.Server.AllocationCount);
        Assert.Equal(0, _turn.Server.UdpPorts.InUse);
        Assert.Null(client.Connection.Allocation);
    }

    private static void AssertPortTaken(IPEndPoint relayed)
    {
        using var probe = new Socket(relayed.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var error = Assert.Throws<SocketException>(() => probe.Bind(relayed));
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
    }
}
