using System.Buffers.Binary;
using Switchboard.Protocols.Sctp;
using Switchboard.Protocols.Tests.Sctp.Simulation;
using static Switchboard.Protocols.Tests.Sctp.Simulation.SctpTestPackets;

namespace Switchboard.Protocols.Tests.Sctp;

/// <summary>Partial reliability (RFC 3758): abandoned messages, FORWARD-TSN, and a receiver that never stalls.</summary>
public class SctpPartialReliabilityTests
{
    private static byte[] Message(int index, int length)
    {
        var data = new byte[length];
        BinaryPrimitives.WriteInt32BigEndian(data, index);
        for (int i = 4; i < length; i++) data[i] = (byte)(index + i);
        return data;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void With_max_retransmits_zero_lost_messages_are_abandoned_and_later_ones_still_arrive(bool unordered)
    {
        var link = SimulatedSctpLink.Established(new LinkSettings { DelayMillis = 30, JitterMillis = 10, LossRate = 0.1, Seed = 3 });
        var options = new SctpSendOptions(Unordered: unordered, MaxRetransmits: 0);
        const int count = 300;
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(SctpSendResult.Queued, link.Client.Association.Send(2, 53, Message(i, i % 3 == 0 ? 3000 : 300), options, link.Now));
            link.RunFor(10);
        }
        link.Settings = link.Settings with { LossRate = 0 };
        link.Client.Association.Send(2, 53, Message(count, 100), options, link.Now); // sent after the loss stopped: must arrive
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Any(m => BinaryPrimitives.ReadInt32BigEndian(m.Data) == count), 60_000));
        link.RunFor(10_000);

        var client = link.Client.Association;
        Assert.True(client.Counters.MessagesAbandoned > 0);
        Assert.True(client.Counters.ForwardTsnsSent > 0);
        Assert.True(link.Server.Association.Counters.ForwardTsnsReceived > 0);
        Assert.Equal(0, client.Counters.Retransmissions); // maxRetransmits 0: sent once, never again
        Assert.Equal(0, client.BufferedAmount);
        Assert.Equal(0, client.BytesInFlight);
        AssertWholeAndOnce(link, count + 1, unordered);
        // Each message arrived or was given up (a message can be both: its SACK was lost); some never arrived.
        Assert.True(link.Server.Listener.Messages.Count + client.Counters.MessagesAbandoned >= count + 1);
        Assert.True(link.Server.Listener.Messages.Count < count);
    }

    [Fact]
    public void Messages_past_their_lifetime_are_abandoned_and_the_stream_goes_on()
    {
        var link = SimulatedSctpLink.Established(new LinkSettings { DelayMillis = 50, LossRate = 0.15, Seed = 9 });
        var options = new SctpSendOptions(LifetimeMillis: 300);
        const int count = 200;
        for (int i = 0; i < count; i++)
        {
            link.Client.Association.Send(1, 53, Message(i, 2500), options, link.Now);
            link.RunFor(20);
        }
        link.Settings = link.Settings with { LossRate = 0 };
        link.Client.Association.Send(1, 53, Message(count, 10), default, link.Now);
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Any(m => BinaryPrimitives.ReadInt32BigEndian(m.Data) == count), 60_000));
        Assert.True(link.Client.Association.Counters.MessagesAbandoned > 0);
        Assert.True(link.Client.Association.Counters.ForwardTsnsSent > 0);
        AssertWholeAndOnce(link, count + 1, unordered: false);
    }

    [Fact]
    public void A_message_whose_lifetime_ends_in_the_queue_is_never_sent()
    {
        var link = SimulatedSctpLink.Established();
        link.Server.Filter = _ => false; // no SACKs: cwnd stays full
        link.Client.Association.Send(0, 53, new byte[10_000], default, link.Now);
        link.Client.Association.Send(0, 53, new byte[500], new SctpSendOptions(LifetimeMillis: 100), link.Now);
        link.RunFor(150);
        link.Server.Filter = null;
        Assert.True(link.RunUntil(() => link.Client.Association.BufferedAmount == 0, 30_000));
        link.RunFor(1000);
        Assert.Single(link.Server.Listener.Messages);
        Assert.Equal(10_000, link.Server.Listener.Messages[0].Data.Length);
        Assert.Equal(1, link.Client.Association.Counters.MessagesAbandoned);
        Assert.Equal(0, link.Client.Association.Counters.ForwardTsnsSent); // it never had a TSN
    }

    [Fact]
    public void The_forward_tsn_names_the_skipped_ssn_and_the_receiver_drops_the_partial_message()
    {
        var link = SimulatedSctpLink.Established(new LinkSettings { DelayMillis = 20 });
        int dataPackets = 0;
        link.Client.Filter = p => !Has(p, SctpChunkType.Data) || ++dataPackets != 2; // the second fragment of the first message
        link.Client.Association.Send(4, 53, Message(0, 3000), new SctpSendOptions(MaxRetransmits: 0), link.Now);
        link.Client.Association.Send(4, 53, Message(1, 100), default, link.Now);
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count == 1, 10_000));
        Assert.Equal(Message(1, 100), link.Server.Listener.Messages[0].Data);
        var forward = link.Client.Sent.First(p => Has(p, SctpChunkType.ForwardTsn));
        var value = ChunkValue(forward, SctpChunkType.ForwardTsn)!;
        Assert.Equal(8, value.Length);
        Assert.Equal(4, BinaryPrimitives.ReadUInt16BigEndian(value.AsSpan(4)));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(value.AsSpan(6)));
        Assert.Equal(1, link.Client.Association.Counters.MessagesAbandoned);
    }

    /// <summary>Every delivered message is one that was sent, whole, once; ordered ones in order.</summary>
    private static void AssertWholeAndOnce(SimulatedSctpLink link, int sent, bool unordered)
    {
        var seen = new HashSet<int>();
        int last = -1;
        foreach (var message in link.Server.Listener.Messages)
        {
            int index = BinaryPrimitives.ReadInt32BigEndian(message.Data);
            Assert.InRange(index, 0, sent - 1);
            Assert.True(seen.Add(index));
            Assert.Equal(Message(index, message.Data.Length), message.Data);
            Assert.True(message.Data.Length is 3000 or 300 or 2500 or 100 or 10);
            if (!unordered)
            {
                Assert.True(index > last);
                last = index;
            }
        }
    }
}
