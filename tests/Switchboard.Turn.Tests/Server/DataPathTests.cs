using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;
using Switchboard.Turn.Tests.Server.Support;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn.Tests.Server;

/// <summary>
/// Send and Data indications (RFC 8656 §11) and ChannelData (§12.4-12.6) between an in-memory client
/// and a real UDP peer on loopback, through a real relay socket.
/// </summary>
public sealed class DataPathTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    private readonly TurnHarness _turn = new(o => o.AllowLoopbackPeers = true);
    private readonly UdpPeer _peer = new();

    public void Dispose()
    {
        _turn.Dispose();
        _peer.Dispose();
    }

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private (TestClient Client, IPEndPoint Relayed) Allocated(ClientTransport transport = ClientTransport.Udp, TurnHarness? turn = null)
    {
        var client = (turn ?? _turn).Client(transport: transport);
        var relayed = client.Allocated().GetXorAddress(StunAttributeType.XorRelayedAddress);
        return (client, relayed);
    }

    private static byte[] ReceivedByPeer(UdpPeer peer, IPEndPoint relayed)
    {
        var received = peer.Receive(Wait);
        Assert.True(received is not null, "the peer received nothing");
        Assert.Equal(relayed, received.Value.From);
        return received.Value.Data;
    }

    private static StunResponse DataIndication(TestClient client)
    {
        var message = client.Connection.TryTake(Wait);
        Assert.True(message is not null, "the client received nothing");
        var indication = StunResponse.Parse(message);
        Assert.Equal(new StunMessageType(StunMethod.Data, StunClass.Indication), indication.Type);
        return indication;
    }

    private static (ushort Channel, byte[] Data, int WireLength) ChannelDataMessage(TestClient client)
    {
        var message = client.Connection.TryTake(Wait);
        Assert.True(message is not null, "the client received nothing");
        Assert.True(ChannelData.TryParse(message, out ushort channel, out var data), "not ChannelData");
        return (channel, data.ToArray(), message.Length);
    }

    [Fact]
    public void SendIndication_ReachesThePeerOnlyWithPermission()
    {
        var (client, relayed) = Allocated();
        client.SendIndication(_peer.EndPoint, Bytes("without"));

        client.CreatePermission(_peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);
        client.SendIndication(_peer.EndPoint, Bytes("with"));

        Assert.Equal(Bytes("with"), ReceivedByPeer(_peer, relayed));
        Assert.Null(_peer.Receive(Quiet));
    }

    [Fact]
    public void SendIndication_WithBadFingerprint_IsDropped()
    {
        // RFC 8489 §6.3: a message whose FINGERPRINT does not verify is discarded, indications included.
        var (client, relayed) = Allocated();
        client.CreatePermission(_peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);
        var indication = new StunRequest(StunMethod.Send, StunClass.Indication).XorPeerAddress(_peer.EndPoint).Add(StunAttributeType.Data, Bytes("bad"));
        indication.Fingerprint = true;
        var message = indication.Build();
        message[^1] ^= 0xFF;

        _turn.Server.HandleMessage(client.Connection, message);
        client.SendIndication(_peer.EndPoint, Bytes("good"), fingerprint: true);

        Assert.Equal(Bytes("good"), ReceivedByPeer(_peer, relayed));
    }

    [Fact]
    public void SendIndication_WithUnknownRequiredAttribute_IsDropped()
    {
        // RFC 8489 §6.3.2: an indication with unknown comprehension-required attributes is discarded.
        var (client, relayed) = Allocated();
        client.CreatePermission(_peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);
        var indication = new StunRequest(StunMethod.Send, StunClass.Indication)
            .XorPeerAddress(_peer.EndPoint).Add(StunAttributeType.Data, Bytes("unknown")).Add(0x0031, [0, 0, 0, 0]);

        _turn.Server.HandleMessage(client.Connection, indication.Build());
        client.SendIndication(_peer.EndPoint, Bytes("known"));

        Assert.Equal(Bytes("known"), ReceivedByPeer(_peer, relayed));
        Assert.Equal(0, client.Connection.PendingCount); // indications get no answer
    }

    [Fact]
    public void SendIndication_WithoutDataOrPeer_IsDropped()
    {
        var (client, relayed) = Allocated();
        client.CreatePermission(_peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);

        _turn.Server.HandleMessage(client.Connection, new StunRequest(StunMethod.Send, StunClass.Indication).XorPeerAddress(_peer.EndPoint).Build());
        _turn.Server.HandleMessage(client.Connection, new StunRequest(StunMethod.Send, StunClass.Indication).Add(StunAttributeType.Data, Bytes("x")).Build());
        client.SendIndication(_peer.EndPoint, Bytes("whole"));

        Assert.Equal(Bytes("whole"), ReceivedByPeer(_peer, relayed));
    }

    [Fact]
    public void SendIndication_WithoutAllocation_IsDropped()
    {
        var client = _turn.Client();

        client.SendIndication(_peer.EndPoint, Bytes("nowhere"));

        Assert.Null(_peer.Receive(Quiet));
        Assert.Equal(0, client.Connection.PendingCount);
    }

    [Fact]
    public void PeerDatagram_ComesBackAsDataIndication()
    {
        var (client, relayed) = Allocated();
        client.CreatePermission(_peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);

        _peer.SendTo(relayed, Bytes("hello client"));

        var indication = DataIndication(client);
        Assert.Equal(_peer.EndPoint, indication.GetXorAddress(StunAttributeType.XorPeerAddress));
        Assert.Equal(Bytes("hello client"), indication.Get(StunAttributeType.Data));
        Assert.False(indication.Has(StunAttributeType.MessageIntegrity));
    }

    [Fact]
    public void DataIndications_HaveDistinctTransactionIds()
    {
        var (client, relayed) = Allocated();
        client.CreatePermission(_peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);

        _peer.SendTo(relayed, Bytes("1"));
        var first = DataIndication(client);
        _peer.SendTo(relayed, Bytes("22"));
        var second = DataIndication(client);

        Assert.NotEqual(first.TransactionId, second.TransactionId);
        Assert.Equal(Bytes("22"), second.Get(StunAttributeType.Data));
    }

    [Fact]
    public void PeerDatagram_WithoutPermission_IsDropped()
    {
        var (client, relayed) = Allocated();
        _peer.SendTo(relayed, Bytes("too early"));
        Assert.Null(client.Connection.TryTake(Quiet));

        client.CreatePermission(_peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);
        _peer.SendTo(relayed, Bytes("in time"));

        Assert.Equal(Bytes("in time"), DataIndication(client).Get(StunAttributeType.Data));
        Assert.Null(client.Connection.TryTake(Quiet));
    }

    [Fact]
    public void PeerDatagram_AfterThePermissionExpired_IsDropped()
    {
        var (client, relayed) = Allocated();
        client.CreatePermission(_peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);
        _turn.Time.AdvanceSeconds(300);
        int noPermission = 0;
        using var drops = new MeterListener();
        drops.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == _turn.Metrics.Meter && instrument.Name == "switchboard.turn.dropped.packets") listener.EnableMeasurementEvents(instrument);
        };
        drops.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            if (tags[0].Value as string == "no_permission") Interlocked.Increment(ref noPermission);
        });
        drops.Start();

        _peer.SendTo(relayed, Bytes("late"));
        client.SendIndication(_peer.EndPoint, Bytes("late too"));
        Assert.Null(_peer.Receive(Quiet));
        // The relay loop handles the peer's datagram on its own time: wait until both were dropped before renewing.
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref noPermission) >= 2, TimeSpan.FromSeconds(10)), "both late datagrams dropped");

        // Renewed, the permission lets the next datagram through; the late one, handled before it, did not pass.
        client.CreatePermission(_peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);
        _peer.SendTo(relayed, Bytes("renewed"));
        Assert.Equal(Bytes("renewed"), DataIndication(client).Get(StunAttributeType.Data));
    }

    [Fact]
    public void PermissionForTheAddress_CoversEveryPortOfThePeer()
    {
        using var samePeerOtherPort = new UdpPeer();
        var (client, relayed) = Allocated();
        client.CreatePermission(_peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);

        samePeerOtherPort.SendTo(relayed, Bytes("other port"));

        var indication = DataIndication(client);
        Assert.Equal(samePeerOtherPort.EndPoint, indication.GetXorAddress(StunAttributeType.XorPeerAddress));
    }

    [Fact]
    public void BoundChannel_CarriesDataBothWays()
    {
        var (client, relayed) = Allocated();
        client.ChannelBind(0x4001, _peer.EndPoint).AssertSuccess(StunMethod.ChannelBind);

        _peer.SendTo(relayed, Bytes("hello"));
        var (channel, data, wireLength) = ChannelDataMessage(client);
        Assert.Equal(0x4001, channel);
        Assert.Equal(Bytes("hello"), data);
        Assert.Equal(4 + 5, wireLength); // no padding over UDP

        client.SendChannelData(0x4001, Bytes("back to you"));
        Assert.Equal(Bytes("back to you"), ReceivedByPeer(_peer, relayed));
    }

    [Fact]
    public void BoundChannel_OverTcp_IsPaddedToFourBytes()
    {
        var (client, relayed) = Allocated(ClientTransport.Tcp);
        client.ChannelBind(0x4000, _peer.EndPoint).AssertSuccess(StunMethod.ChannelBind);

        _peer.SendTo(relayed, Bytes("hello"));

        var message = client.Connection.TryTake(Wait);
        Assert.NotNull(message);
        Assert.Equal(12, message.Length);
        Assert.Equal(0x4000, BinaryPrimitives.ReadUInt16BigEndian(message));
        Assert.Equal(5, BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(2)));
        Assert.Equal(Bytes("hello"), message[4..9]);
        Assert.Equal(new byte[3], message[9..]);

        client.SendChannelData(0x4000, Bytes("padded")); // sent with 2 bytes of padding
        Assert.Equal(Bytes("padded"), ReceivedByPeer(_peer, relayed));
    }

    [Fact]
    public void BoundChannel_OverTcp_WithAlignedLength_HasNoPadding()
    {
        var (client, relayed) = Allocated(ClientTransport.Tcp);
        client.ChannelBind(0x4000, _peer.EndPoint).AssertSuccess(StunMethod.ChannelBind);

        _peer.SendTo(relayed, Bytes("four"));

        Assert.Equal(8, ChannelDataMessage(client).WireLength);
    }

    [Fact]
    public void ChannelBoundToAnotherPortOfTheAddress_LeavesThisPortOnDataIndications()
    {
        using var other = new UdpPeer();
        var (client, relayed) = Allocated();
        client.ChannelBind(0x4000, other.EndPoint).AssertSuccess(StunMethod.ChannelBind);

        _peer.SendTo(relayed, Bytes("via indication"));

        Assert.Equal(Bytes("via indication"), DataIndication(client).Get(StunAttributeType.Data));
    }

    [Fact]
    public void ChannelDataOnUnboundChannel_IsDropped()
    {
        var (client, relayed) = Allocated();
        client.ChannelBind(0x4000, _peer.EndPoint).AssertSuccess(StunMethod.ChannelBind);

        client.SendChannelData(0x4002, Bytes("unbound"));
        client.SendChannelData(0x4000, Bytes("bound"));

        Assert.Equal(Bytes("bound"), ReceivedByPeer(_peer, relayed));
    }

    [Fact]
    public void ChannelData_WithoutAllocation_IsDropped()
    {
        var client = _turn.Client();

        client.SendChannelData(0x4000, Bytes("nothing"));

        Assert.Equal(0, client.Connection.PendingCount);
    }

    [Fact]
    public void ChannelData_LongerThanTheDatagram_IsDropped()
    {
        var (client, relayed) = Allocated();
        client.ChannelBind(0x4000, _peer.EndPoint).AssertSuccess(StunMethod.ChannelBind);

        _turn.Server.HandleMessage(client.Connection, [0x40, 0x00, 0x00, 0x10, 1, 2, 3]);
        client.SendChannelData(0x4000, Bytes("ok"));

        Assert.Equal(Bytes("ok"), ReceivedByPeer(_peer, relayed));
    }

    [Fact]
    public void IPv6Peer_OnDualAllocation_UsesTheIPv6Relay()
    {
        using var peer6 = new UdpPeer(IPAddress.IPv6Loopback);
        var client = _turn.Client();
        var relays = client.Allocated(r => r.Add(StunAttributeType.AdditionalAddressFamily, [2, 0, 0, 0]))
            .GetXorAddresses(StunAttributeType.XorRelayedAddress);
        var relay6 = relays.Single(r => r.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6);
        client.CreatePermission(peer6.EndPoint).AssertSuccess(StunMethod.CreatePermission);

        client.SendIndication(peer6.EndPoint, Bytes("six"));
        Assert.Equal(Bytes("six"), ReceivedByPeer(peer6, relay6));

        peer6.SendTo(relay6, Bytes("back"));
        var indication = DataIndication(client);
        Assert.Equal(peer6.EndPoint, indication.GetXorAddress(StunAttributeType.XorPeerAddress));
        Assert.Equal(Bytes("back"), indication.Get(StunAttributeType.Data));
    }

    [Theory]
    [InlineData(ClientTransport.Udp, false)]
    [InlineData(ClientTransport.Udp, true)]
    [InlineData(ClientTransport.Tcp, true)]
    public void LargestDatagram_IsRelayedWhole(ClientTransport transport, bool channel)
    {
        const int largest = 65507; // the most a UDP datagram over IPv4 can carry
        var (client, relayed) = Allocated(transport);
        if (channel) client.ChannelBind(0x4000, _peer.EndPoint).AssertSuccess(StunMethod.ChannelBind);
        else client.CreatePermission(_peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);
        var data = new byte[largest];
        new Random(1).NextBytes(data);

        _peer.SendTo(relayed, data);

        if (channel)
        {
            var (number, received, wireLength) = ChannelDataMessage(client);
            Assert.Equal(0x4000, number);
            Assert.Equal(data, received);
            Assert.Equal(transport == ClientTransport.Tcp ? 4 + largest + 1 : 4 + largest, wireLength);
        }
        else
        {
            Assert.Equal(data, DataIndication(client).Get(StunAttributeType.Data));
        }
    }

    [Fact]
    public void MaxBitsPerSecond_DropsTrafficToThePeerBeyondTheCap()
    {
        using var turn = new TurnHarness(o => { o.AllowLoopbackPeers = true; o.MaxBitsPerSecond = 8000; }); // 1000 bytes a second
        var (client, relayed) = Allocated(turn: turn);
        client.CreatePermission(_peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);
        var chunk = new byte[400];

        for (int i = 0; i < 3; i++) client.SendIndication(_peer.EndPoint, chunk);
        Assert.Equal(400, ReceivedByPeer(_peer, relayed).Length);
        Assert.Equal(400, ReceivedByPeer(_peer, relayed).Length);
        Assert.Null(_peer.Receive(Quiet));

        turn.Time.AdvanceSeconds(1);
        client.SendIndication(_peer.EndPoint, Bytes("refilled"));
        Assert.Equal(Bytes("refilled"), ReceivedByPeer(_peer, relayed));
    }

    [Fact]
    public void MaxBitsPerSecond_DropsTrafficToTheClientBeyondTheCap()
    {
        using var turn = new TurnHarness(o => { o.AllowLoopbackPeers = true; o.MaxBitsPerSecond = 8000; });
        var (client, relayed) = Allocated(turn: turn);
        client.ChannelBind(0x4000, _peer.EndPoint).AssertSuccess(StunMethod.ChannelBind);
        var chunk = new byte[400];

        for (int i = 0; i < 3; i++) _peer.SendTo(relayed, chunk);
        Assert.Equal(400, ChannelDataMessage(client).Data.Length);
        Assert.Equal(400, ChannelDataMessage(client).Data.Length);
        // Datagrams from one socket arrive in order on loopback: once the marker sent after a refill is
        // delivered, the third chunk has been handled, and it must not have come through.
        Assert.Null(client.Connection.TryTake(Quiet));
        turn.Time.AdvanceSeconds(1);
        _peer.SendTo(relayed, Bytes("marker"));

        Assert.Equal(Bytes("marker"), ChannelDataMessage(client).Data);
        Assert.Equal(0, client.Connection.PendingCount);
    }

    [Fact]
    public void WithoutBandwidthCap_EverythingPasses()
    {
        var (client, relayed) = Allocated();
        client.CreatePermission(_peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);
        var chunk = new byte[1200];

        for (int i = 0; i < 20; i++) client.SendIndication(_peer.EndPoint, chunk);

        for (int i = 0; i < 20; i++) Assert.Equal(1200, ReceivedByPeer(_peer, relayed).Length);
    }

    [Fact]
    public void AfterTheAllocationEnds_PeerDatagramsGoNowhere()
    {
        var (client, relayed) = Allocated();
        client.CreatePermission(_peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);
        client.Refresh(0).AssertSuccess(StunMethod.Refresh);

        _peer.SendTo(relayed, Bytes("anyone?"));

        Assert.Null(client.Connection.TryTake(Quiet));
    }
}
