using System.Buffers.Binary;
using Switchboard.Protocols.Sctp;
using Switchboard.Protocols.Tests.Sctp.Simulation;
using static Switchboard.Protocols.Tests.Sctp.Simulation.SctpTestPackets;

namespace Switchboard.Protocols.Tests.Sctp;

/// <summary>Bounds and hostile input: what a peer holding the verification tag can send, and garbage.</summary>
public class SctpHostileInputTests
{
    private const byte Whole = DataChunk.BeginningFlag | DataChunk.EndFlag;

    /// <summary>The client's verification tag as the server uses it, and the TSN of the client's last DATA chunk.</summary>
    private static (uint ToServerTag, uint LastTsn) ClientState(SimulatedSctpLink link)
    {
        var data = link.Client.Sent.Last(p => Has(p, SctpChunkType.Data));
        return (Tag(data), BinaryPrimitives.ReadUInt32BigEndian(ChunkValue(data, SctpChunkType.Data)));
    }

    private static SimulatedSctpLink WithOneMessage(LinkSettings? settings = null, SctpOptions? client = null, SctpOptions? server = null)
    {
        var link = SimulatedSctpLink.Established(settings ?? new LinkSettings { DelayMillis = 10 }, client, server);
        link.Client.Association.Send(0, 51, [0], default, link.Now);
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count == 1, 5000));
        link.RunFor(500);
        return link;
    }

    [Fact]
    public void A_message_larger_than_the_maximum_is_dropped_and_the_association_carries_on()
    {
        var link = SimulatedSctpLink.Established(new LinkSettings { DelayMillis = 20, JitterMillis = 15, Seed = 8 },
            new SctpOptions { RemoteMaxMessageSize = 200_000 }, new SctpOptions { MaxReceiveMessageSize = 10_000 });
        link.Client.Association.Send(1, 53, new byte[10_000], default, link.Now); // exactly the maximum: delivered
        link.Client.Association.Send(1, 53, new byte[50_000], default, link.Now);
        link.Client.Association.Send(2, 53, new byte[150_000], new SctpSendOptions(Unordered: true), link.Now);
        for (int i = 0; i < 20; i++) link.Client.Association.Send(1, 51, [(byte)i], default, link.Now);
        link.Client.Association.Send(2, 51, [99], new SctpSendOptions(Unordered: true), link.Now);
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count == 22, 60_000));
        link.RunFor(2000);
        var server = link.Server.Association;
        Assert.Equal(2, server.Counters.OversizedMessagesDropped);
        Assert.Equal(10_000, link.Server.Listener.Messages[0].Data.Length);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => new[] { (byte)i }), link.Server.Listener.Messages.Where(m => m.StreamId == 1).Skip(1).Select(m => m.Data));
        Assert.Equal(SctpState.Established, server.State);
        Assert.Equal(0, server.ReceiveBufferedBytes);
        Assert.Equal(0, link.Client.Association.BufferedAmount); // all acknowledged: the sender is not stuck either
    }

    [Fact]
    public void Data_far_beyond_the_window_is_dropped()
    {
        var link = WithOneMessage();
        var (tag, last) = ClientState(link);
        long dropped = link.Server.Association.Counters.DataChunksDropped;
        link.Inject(link.Server, Build(tag, (0, Whole, Data(last + 70_000, 0, 5, 51, [1]))));
        link.Inject(link.Server, Build(tag, (0, Whole, Data(last + 0x8000_0000, 0, 5, 51, [1])))); // "behind" in serial arithmetic: a duplicate
        link.RunFor(500);
        Assert.Equal(dropped + 1, link.Server.Association.Counters.DataChunksDropped);
        Assert.Single(link.Server.Listener.Messages);
        link.Client.Association.Send(0, 51, [2], default, link.Now);
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count == 2, 5000));
    }

    [Fact]
    public void A_flood_of_out_of_order_tsns_keeps_memory_and_sacks_bounded()
    {
        var link = WithOneMessage(server: new SctpOptions { ReceiveWindow = 64 * 1024 });
        var (tag, last) = ClientState(link);
        var server = link.Server.Association;
        for (int i = 0; i < 2000; i++)
        {
            // 60 chunks per packet, every other TSN: each one a gap of its own, 1 byte each, on an ordered stream that never completes.
            var chunks = Enumerable.Range(0, 60).Select(k => ((byte)0, (byte)DataChunk.BeginningFlag, Data(last + 2 + 2 * (uint)(i * 60 + k), 3, (ushort)(i * 60 + k + 1), 51, [7]))).ToArray();
            link.Inject(link.Server, Build(tag, chunks));
            if (i % 100 == 0) link.RunFor(1);
        }
        link.RunFor(1000);
        Assert.InRange(server.OutOfOrderTsnCount, 1, 4096); // ReceiveWindow / 16
        Assert.InRange(server.ReceiveBufferedBytes, 1, 64 * 1024);
        Assert.True(server.Counters.DataChunksDropped > 100_000);
        Assert.All(link.Server.Sent, p => Assert.True(p.Length <= 1200));
        Assert.Equal(SctpState.Established, server.State);
    }

    [Fact]
    public void Data_on_a_stream_beyond_the_negotiated_count_is_acknowledged_reported_and_dropped()
    {
        var link = WithOneMessage(server: new SctpOptions { MaxInboundStreams = 16 });
        var (tag, last) = ClientState(link);
        link.Inject(link.Server, Build(tag, (0, Whole, Data(last + 1, 16, 0, 51, [1]))));
        link.RunFor(500);
        Assert.Single(link.Server.Listener.Messages);
        Assert.Contains(link.Server.Sent, p => Has(p, SctpChunkType.Error) && BinaryPrimitives.ReadUInt16BigEndian(ChunkValue(p, SctpChunkType.Error)) == 1);
        Assert.Equal(SctpState.Established, link.Server.Association.State);
    }

    [Fact]
    public void Data_without_user_data_aborts_as_the_rfc_requires()
    {
        var link = WithOneMessage();
        var (tag, last) = ClientState(link);
        link.Inject(link.Server, Build(tag, (0, Whole, Data(last + 1, 0, 1, 51, []))));
        link.RunFor(500);
        Assert.Single(link.Server.Listener.Closed);
        Assert.Single(link.Client.Listener.Closed);
        Assert.Contains("NoUserData", link.Client.Listener.Closed[0]);
    }

    [Fact]
    public void Bogus_sacks_are_ignored()
    {
        var link = WithOneMessage();
        uint clientTag = Tag(link.Server.Sent[^1]);
        var client = link.Client.Association;
        var (_, last) = ClientState(link);
        link.Server.Filter = _ => false;
        for (int i = 0; i < 5; i++) client.Send(0, 51, new byte[500], default, link.Now);
        int inFlight = client.BytesInFlight;

        var huge = new byte[12 + 4 * 16_000];
        BinaryPrimitives.WriteUInt32BigEndian(huge, last);
        BinaryPrimitives.WriteUInt32BigEndian(huge.AsSpan(4), 1_000_000);
        BinaryPrimitives.WriteUInt16BigEndian(huge.AsSpan(8), 16_000);
        for (int i = 0; i < 16_000; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(huge.AsSpan(12 + 4 * i), 1);
            BinaryPrimitives.WriteUInt16BigEndian(huge.AsSpan(14 + 4 * i), 65_535);
        }
        var countPastEnd = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(countPastEnd, last);
        BinaryPrimitives.WriteUInt16BigEndian(countPastEnd.AsSpan(8), 100);
        var future = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(future, last + 1000);
        var past = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(past, last - 1000);
        long sacks = client.Counters.SacksReceived, droppedChunks = client.Counters.ChunksDropped;
        foreach (var sack in new[] { huge, countPastEnd, future, past })
            link.Inject(link.Client, Build(clientTag, ((byte)SctpChunkType.Sack, 0, sack)));
        link.RunFor(1);
        // The huge SACK's first block may acknowledge what is outstanding; its overlapping repeats are not processed. The one
        // whose counts run past its end is malformed; the cumulative acks ahead of what was sent and behind the last are ignored.
        Assert.Equal(sacks + 3, client.Counters.SacksReceived);
        Assert.Equal(droppedChunks + 1, client.Counters.ChunksDropped);
        Assert.Equal(SctpState.Established, client.State);
        Assert.True(client.BytesInFlight <= inFlight);
        link.Server.Filter = null;
        client.Send(0, 51, [9], default, link.Now);
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count == 7, 30_000));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Garbage_and_mutated_packets_never_throw(int seed)
    {
        var random = new Random(seed);
        var link = WithOneMessage();
        var samples = link.Client.Sent.Concat(link.Server.Sent).ToList();
        uint serverTag = Tag(link.Client.Sent[^1]);
        var fresh = new SctpAssociation(new SctpOptions(), _ => { }, new RecordingListener());
        for (int i = 0; i < 20_000; i++)
        {
            byte[] packet;
            switch (i % 4)
            {
                case 0:
                    packet = new byte[random.Next(0, 200)];
                    random.NextBytes(packet);
                    break;
                case 1:
                    packet = samples[random.Next(samples.Count)].ToArray();
                    for (int flips = random.Next(1, 4); flips > 0 && packet.Length > 12; flips--) packet[random.Next(12, packet.Length)] ^= (byte)(1 << random.Next(8));
                    BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), serverTag);
                    packet = Restamp(packet);
                    break;
                case 2:
                    packet = samples[random.Next(samples.Count)];
                    packet = Restamp(packet[..random.Next(12, packet.Length + 1)]);
                    break;
                default:
                    var value = new byte[random.Next(0, 64)];
                    random.NextBytes(value);
                    packet = Build(serverTag, ((byte)random.Next(256), (byte)random.Next(256), value));
                    break;
            }
            link.Server.Association.Receive(packet, link.Now);
            fresh.Receive(packet, link.Now);
            link.Server.Association.OnTimer(link.Now);
        }
        Assert.True(link.Server.Association.Counters.PacketsDropped > 5000);
        Assert.True(fresh.Counters.PacketsDropped > 5000);
    }
}
