using System.Buffers.Binary;
using Switchboard.Protocols.Sctp;
using Switchboard.Protocols.Tests.Sctp.Simulation;
using static Switchboard.Protocols.Tests.Sctp.Simulation.SctpTestPackets;

namespace Switchboard.Protocols.Tests.Sctp;

/// <summary>Association setup, INIT collision, shutdown, abort, and the checks that keep strangers out (RFC 9260 §5, §8.5, §9).</summary>
public class SctpHandshakeTests
{
    private static bool BothEstablished(SimulatedSctpLink link) =>
        link.Client.Association.State == SctpState.Established && link.Server.Association.State == SctpState.Established;

    [Fact]
    public void Active_client_and_passive_server_establish_in_two_round_trips()
    {
        var link = new SimulatedSctpLink(new LinkSettings { DelayMillis = 50 });
        link.Client.Association.Connect(link.Now);
        Assert.Equal(SctpState.CookieWait, link.Client.Association.State);
        Assert.True(link.RunUntil(() => BothEstablished(link), 10_000));
        Assert.Equal(200, link.Now); // INIT, INIT-ACK, COOKIE-ECHO, COOKIE-ACK
        Assert.Equal(1, link.Client.Listener.EstablishedCount);
        Assert.Equal(1, link.Server.Listener.EstablishedCount);
        Assert.Equal([SctpChunkType.Init], ChunkTypes(link.Client.Sent[0]));
        Assert.Equal(0u, Tag(link.Client.Sent[0]));
        Assert.Equal([SctpChunkType.InitAck], ChunkTypes(link.Server.Sent[0]));
        Assert.Equal([SctpChunkType.CookieEcho], ChunkTypes(link.Client.Sent[1]));
        Assert.Equal([SctpChunkType.CookieAck], ChunkTypes(link.Server.Sent[1]));
        Assert.True(link.Client.Association.PeerSupportsPartialReliability && link.Client.Association.PeerSupportsStreamReset);
        Assert.True(link.Server.Association.PeerSupportsPartialReliability && link.Server.Association.PeerSupportsStreamReset);
        Assert.Equal(1024, link.Client.Association.OutboundStreamCount);
    }

    [Fact]
    public void The_passive_side_keeps_no_state_for_an_init()
    {
        var link = new SimulatedSctpLink();
        link.Server.Filter = _ => false; // the INIT-ACK is lost
        link.Client.Association.Connect(0);
        link.RunFor(100);
        Assert.Equal(SctpState.Closed, link.Server.Association.State);
        Assert.Single(link.Server.Sent);
        link.Server.Filter = null;
        Assert.True(link.RunUntil(() => BothEstablished(link), 10_000)); // T1-init retransmits the INIT after 1 s
        Assert.InRange(link.Now, 1000, 1300);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(49)]
    [InlineData(80)]
    public void Both_sides_connecting_at_once_is_an_init_collision_that_ends_in_one_association(int serverDelayMillis)
    {
        var link = new SimulatedSctpLink(new LinkSettings { DelayMillis = 50 });
        link.Client.Association.Connect(0);
        link.RunFor(serverDelayMillis);
        if (link.Server.Association.State == SctpState.Closed) link.Server.Association.Connect(link.Now);
        Assert.True(link.RunUntil(() => BothEstablished(link), 20_000));
        link.RunFor(1000);
        Assert.Equal(1, link.Client.Listener.EstablishedCount);
        Assert.Equal(1, link.Server.Listener.EstablishedCount);

        // The tags agree: data flows both ways.
        Assert.Equal(SctpSendResult.Queued, link.Client.Association.Send(1, 51, "ping"u8, default, link.Now));
        Assert.Equal(SctpSendResult.Queued, link.Server.Association.Send(2, 51, "pong"u8, default, link.Now));
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count == 1 && link.Client.Listener.Messages.Count == 1, 10_000));
        Assert.Equal("ping"u8.ToArray(), link.Server.Listener.Messages[0].Data);
        Assert.Equal("pong"u8.ToArray(), link.Client.Listener.Messages[0].Data);
        Assert.DoesNotContain(link.Client.Sent.Concat(link.Server.Sent), p => Has(p, SctpChunkType.Abort));
    }

    [Fact]
    public void Simultaneous_connect_survives_loss_of_handshake_packets()
    {
        for (int seed = 1; seed <= 20; seed++)
        {
            var link = new SimulatedSctpLink(new LinkSettings { DelayMillis = 30, JitterMillis = 20, LossRate = 0.3, Seed = seed });
            link.Client.Association.Connect(0);
            link.Server.Association.Connect(0);
            Assert.True(link.RunUntil(() => BothEstablished(link), 120_000), $"seed {seed}");
            link.Settings = link.Settings with { LossRate = 0 };
            link.Client.Association.Send(0, 51, "x"u8, default, link.Now);
            link.Server.Association.Send(0, 51, "y"u8, default, link.Now);
            Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count == 1 && link.Client.Listener.Messages.Count == 1, 60_000), $"seed {seed}");
        }
    }

    [Fact]
    public void An_unanswered_init_gives_up_after_the_maximum_retransmissions()
    {
        var link = new SimulatedSctpLink(clientOptions: new SctpOptions { MaxInitRetransmits = 3 });
        link.Client.Filter = _ => false;
        link.Client.Association.Connect(0);
        Assert.True(link.RunUntil(() => link.Client.Listener.Closed.Count == 1, 60_000));
        Assert.Equal(4, link.Client.Sent.Count); // the INIT and three retransmissions, 1, 2 and 3 s apart (the back-off cap)
        Assert.Equal(1000 + 2000 + 3000 + 3000, link.Now);
        Assert.Contains("INIT", link.Client.Listener.Closed[0]);
        Assert.Equal(SctpState.Closed, link.Client.Association.State);
        Assert.Equal(SctpSendResult.Closed, link.Client.Association.Send(0, 51, "x"u8, default, link.Now));
    }

    [Fact]
    public void Shutdown_delivers_what_was_queued_then_closes_both_sides()
    {
        var link = SimulatedSctpLink.Established();
        for (int i = 0; i < 20; i++) link.Client.Association.Send(0, 53, new byte[3000], default, link.Now);
        link.Client.Association.Shutdown(link.Now);
        Assert.Equal(SctpState.ShutdownPending, link.Client.Association.State);
        Assert.Equal(SctpSendResult.Closed, link.Client.Association.Send(0, 53, new byte[1], default, link.Now));
        Assert.True(link.RunUntil(() => link.Client.Listener.Closed.Count == 1 && link.Server.Listener.Closed.Count == 1, 30_000));
        Assert.Equal(20, link.Server.Listener.Messages.Count);
        Assert.Equal(SctpState.Closed, link.Client.Association.State);
        Assert.Equal(SctpState.Closed, link.Server.Association.State);
        Assert.Contains("shut down", link.Client.Listener.Closed[0]);
        Assert.Contains("shut down", link.Server.Listener.Closed[0]);
        Assert.Equal(long.MaxValue, link.Client.Association.NextTimerMillis);
        Assert.Contains(link.Client.Sent, p => Has(p, SctpChunkType.Shutdown));
        Assert.Contains(link.Server.Sent, p => Has(p, SctpChunkType.ShutdownAck));
        Assert.Contains(link.Client.Sent, p => Has(p, SctpChunkType.ShutdownComplete));
    }

    [Fact]
    public void Shutdown_completes_through_a_lossy_link()
    {
        var link = SimulatedSctpLink.Established(new LinkSettings { LossRate = 0.3, Seed = 7 });
        link.Server.Association.Shutdown(link.Now);
        Assert.True(link.RunUntil(() => link.Client.Listener.Closed.Count == 1 && link.Server.Listener.Closed.Count == 1, 120_000));
    }

    [Fact]
    public void Abort_ends_both_sides_with_the_reason()
    {
        var link = SimulatedSctpLink.Established();
        link.Client.Association.Abort("user closed the tab");
        Assert.Equal(["user closed the tab"], link.Client.Listener.Closed);
        Assert.True(link.RunUntil(() => link.Server.Listener.Closed.Count == 1, 1000));
        Assert.Contains("user closed the tab", link.Server.Listener.Closed[0]);
        Assert.Contains("aborted", link.Server.Listener.Closed[0]);
        link.Client.Association.Abort("again");
        Assert.Single(link.Client.Listener.Closed);
    }

    [Fact]
    public void A_packet_with_the_wrong_verification_tag_is_dropped()
    {
        var link = SimulatedSctpLink.Established();
        uint tag = Tag(link.Client.Sent[^1]);
        var forged = Build(tag ^ 1, (0, DataChunk.BeginningFlag | DataChunk.EndFlag, Data(12345, 0, 0, 51, [1, 2, 3])));
        long dropped = link.Server.Association.Counters.PacketsDropped;
        link.Inject(link.Server, forged);
        link.RunFor(1000);
        Assert.Equal(dropped + 1, link.Server.Association.Counters.PacketsDropped);
        Assert.Empty(link.Server.Listener.Messages);
        Assert.Equal(SctpState.Established, link.Server.Association.State);
    }

    [Fact]
    public void A_packet_with_a_bad_checksum_is_dropped()
    {
        var link = SimulatedSctpLink.Established();
        link.Client.Filter = packet =>
        {
            if (!Has(packet, SctpChunkType.Data) || link.Client.Sent.Count(p => Has(p, SctpChunkType.Data)) > 1) return true;
            var corrupted = packet.ToArray();
            corrupted[^1] ^= 0x40;
            link.Inject(link.Server, corrupted, 50);
            return false;
        };
        link.Client.Association.Send(0, 51, "hello"u8, default, link.Now);
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count == 1, 10_000)); // retransmitted after T3
        Assert.Equal(1, link.Server.Association.Counters.PacketsDropped);
        Assert.Equal(1, link.Client.Association.Counters.T3Expirations);
    }

    [Fact]
    public void A_forged_cookie_is_refused()
    {
        var link = new SimulatedSctpLink();
        var cookie = new byte[StateCookie.Length];
        new Random(3).NextBytes(cookie);
        cookie[0] = 1;
        link.Inject(link.Server, Build(BinaryPrimitives.ReadUInt32BigEndian(cookie.AsSpan(12)), ((byte)SctpChunkType.CookieEcho, 0, cookie)));
        link.RunFor(1000);
        Assert.Equal(SctpState.Closed, link.Server.Association.State);
        Assert.Equal(0, link.Server.Listener.EstablishedCount);
        Assert.Equal(1, link.Server.Association.Counters.PacketsDropped);
    }

    [Fact]
    public void A_tampered_cookie_is_refused_and_the_real_one_accepted()
    {
        var link = new SimulatedSctpLink();
        link.Client.Filter = packet =>
        {
            if (!Has(packet, SctpChunkType.CookieEcho)) return true;
            var tampered = packet.ToArray();
            tampered[SctpPacket.HeaderLength + SctpChunk.HeaderLength + 30] ^= 1; // the peer's a_rwnd in the cookie
            link.Inject(link.Server, Restamp(tampered), 10);
            link.Client.Filter = null;
            return true;
        };
        link.Client.Association.Connect(0);
        Assert.True(link.RunUntil(() => BothEstablished(link), 10_000));
        Assert.Equal(1, link.Server.Association.Counters.PacketsDropped);
        Assert.Equal(1, link.Server.Listener.EstablishedCount);
    }

    [Fact]
    public void An_expired_cookie_is_refused_with_a_stale_cookie_error_and_the_client_starts_again()
    {
        var link = new SimulatedSctpLink(serverOptions: new SctpOptions { CookieLifetimeMillis = 5000 });
        bool delayed = false;
        link.Client.Filter = packet =>
        {
            if (!Has(packet, SctpChunkType.CookieEcho) || link.Server.Sent.Any(p => Has(p, SctpChunkType.Error))) return true;
            if (!delayed) link.Inject(link.Server, packet, 6000); // the first arrives after the cookie's lifetime, the others never
            delayed = true;
            return false;
        };
        link.Client.Association.Connect(0);
        link.RunFor(6200);
        Assert.Contains(link.Server.Sent, p => Has(p, SctpChunkType.Error) && BinaryPrimitives.ReadUInt16BigEndian(ChunkValue(p, SctpChunkType.Error)) == 3);
        Assert.True(link.RunUntil(() => BothEstablished(link), 60_000));
        Assert.Equal(1, link.Server.Listener.EstablishedCount);
    }

    [Fact]
    public void A_cookie_echo_replayed_after_establishment_is_answered_without_a_second_association()
    {
        var link = SimulatedSctpLink.Established();
        var cookieEcho = link.Client.Sent.First(p => Has(p, SctpChunkType.CookieEcho));
        link.Inject(link.Server, cookieEcho);
        link.RunFor(500);
        Assert.Equal(1, link.Server.Listener.EstablishedCount);
        Assert.Equal(2, link.Server.Sent.Count(p => Has(p, SctpChunkType.CookieAck)));
    }

    [Fact]
    public void Packets_after_the_association_ended_get_an_abort_with_the_t_bit()
    {
        var link = SimulatedSctpLink.Established();
        link.Server.Association.Abort("gone");
        link.RunFor(1000);
        int before = link.Server.Sent.Count;
        uint tag = Tag(link.Client.Sent[^1]);
        link.Inject(link.Server, Build(tag, (0, DataChunk.BeginningFlag | DataChunk.EndFlag, Data(1, 0, 0, 51, [1]))));
        link.RunFor(100);
        var abort = link.Server.Sent[before];
        Assert.Equal([SctpChunkType.Abort], ChunkTypes(abort));
        Assert.Equal(tag, Tag(abort));
        Assert.Equal(1, abort[SctpPacket.HeaderLength + 1] & 1);
    }

    [Fact]
    public void An_idle_association_sends_heartbeats_and_measures_the_round_trip()
    {
        var link = SimulatedSctpLink.Established(new LinkSettings { DelayMillis = 40 });
        link.RunFor(65_000);
        var client = link.Client.Association;
        Assert.Equal(2, client.Counters.HeartbeatsSent); // every 30 s plus an RTO
        Assert.Equal(2, client.Counters.HeartbeatAcksReceived);
        Assert.Equal(80, client.SmoothedRttMillis);
        Assert.Equal(SctpState.Established, client.State);
    }

    [Fact]
    public void A_peer_that_stops_answering_is_given_up_after_the_maximum_retransmissions()
    {
        var link = SimulatedSctpLink.Established(clientOptions: new SctpOptions { AssociationMaxRetransmits = 3 });
        link.Server.Filter = _ => false;
        link.Client.Association.Send(0, 51, [1], default, link.Now);
        Assert.True(link.RunUntil(() => link.Client.Listener.Closed.Count == 1, 120_000));
        Assert.Contains("T3-rtx timed out 4 times", link.Client.Listener.Closed[0]);
        Assert.Equal(4, link.Client.Association.Counters.T3Expirations);

        var idle = SimulatedSctpLink.Established(clientOptions: new SctpOptions { AssociationMaxRetransmits = 2 });
        idle.Server.Filter = _ => false;
        Assert.True(idle.RunUntil(() => idle.Client.Listener.Closed.Count == 1, 300_000));
        Assert.Contains("HEARTBEAT", idle.Client.Listener.Closed[0]);
    }
}
