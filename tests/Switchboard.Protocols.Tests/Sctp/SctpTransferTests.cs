using System.Buffers.Binary;
using System.Security.Cryptography;
using Switchboard.Protocols.Sctp;
using Switchboard.Protocols.Tests.Sctp.Simulation;

namespace Switchboard.Protocols.Tests.Sctp;

/// <summary>Reliable, ordered and unordered delivery through bad links, fragmentation, and a large transfer (RFC 9260 §6).</summary>
public class SctpTransferTests
{
    private static readonly LinkSettings Lossy = new() { DelayMillis = 40, JitterMillis = 30, LossRate = 0.05, DuplicationRate = 0.05 };

    private static byte[] Numbered(int stream, int index, int length)
    {
        var data = new byte[Math.Max(8, length)];
        BinaryPrimitives.WriteInt32BigEndian(data, stream);
        BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), index);
        for (int i = 8; i < data.Length; i++) data[i] = (byte)(index * 31 + i);
        return data;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Through_loss_duplication_and_reordering_every_message_arrives_once_and_ordered_streams_in_order(int seed)
    {
        var link = SimulatedSctpLink.Established(Lossy with { Seed = seed });
        const int streams = 12, perStream = 60;
        var random = new Random(seed);
        var expected = new Dictionary<(int, int), byte[]>();
        for (int i = 0; i < perStream; i++)
        {
            for (int stream = 0; stream < streams; stream++)
            {
                bool unordered = stream % 4 == 3;
                var data = Numbered(stream, i, random.Next(1, 4000)); // single chunks and fragmented messages
                expected[(stream, i)] = data;
                Assert.Equal(SctpSendResult.Queued, link.Client.Association.Send((ushort)stream, 53, data, new SctpSendOptions(Unordered: unordered), link.Now));
            }
            link.RunFor(random.Next(0, 30));
        }
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count >= streams * perStream, 600_000));
        link.RunFor(5000);

        var received = link.Server.Listener.Messages;
        Assert.Equal(streams * perStream, received.Count);
        var next = new int[streams];
        var seen = new HashSet<(int, int)>();
        foreach (var message in received)
        {
            int stream = BinaryPrimitives.ReadInt32BigEndian(message.Data);
            int index = BinaryPrimitives.ReadInt32BigEndian(message.Data.AsSpan(4));
            Assert.Equal(stream, message.StreamId);
            Assert.Equal(stream % 4 == 3, message.Unordered);
            Assert.True(seen.Add((stream, index)), $"message {index} of stream {stream} twice");
            Assert.Equal(expected[(stream, index)], message.Data);
            if (!message.Unordered) Assert.Equal(next[stream]++, index);
        }
        Assert.True(link.Client.Association.Counters.Retransmissions > 0);
        Assert.True(link.Server.Association.Counters.DuplicateTsnsReceived > 0);
        Assert.Equal(0, link.Client.Association.BufferedAmount);
        Assert.Equal(0, link.Client.Association.BytesInFlight);
    }

    [Fact]
    public void Both_directions_at_once_through_a_lossy_link()
    {
        var link = SimulatedSctpLink.Established(Lossy with { Seed = 11 });
        for (int i = 0; i < 200; i++)
        {
            link.Client.Association.Send(1, 51, Numbered(1, i, 700), default, link.Now);
            link.Server.Association.Send(1, 51, Numbered(1, i, 1500), default, link.Now);
        }
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count == 200 && link.Client.Listener.Messages.Count == 200, 300_000));
        for (int i = 0; i < 200; i++)
        {
            Assert.Equal(Numbered(1, i, 700), link.Server.Listener.Messages[i].Data);
            Assert.Equal(Numbered(1, i, 1500), link.Client.Listener.Messages[i].Data);
        }
    }

    [Fact]
    public void Ten_mebibytes_of_64_kib_messages_arrive_intact_through_a_lossy_link()
    {
        var link = SimulatedSctpLink.Established(new LinkSettings { DelayMillis = 25, JitterMillis = 10, LossRate = 0.02, DuplicationRate = 0.01, BytesPerSecond = 20_000_000, Seed = 5 });
        const int messageSize = 64 * 1024, messages = 160;
        var source = new byte[messageSize * messages];
        new Random(42).NextBytes(source);
        int sent = 0;
        void Fill()
        {
            while (sent < messages && link.Client.Association.Send(0, 53, source.AsSpan(sent * messageSize, messageSize), default, link.Now) == SctpSendResult.Queued)
                sent++;
        }
        link.Client.Listener.BufferedAmountLow = Fill;
        Fill();
        Assert.True(sent < messages); // the send queue (4 MiB) filled up: the rest goes as it drains
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long receivedBytes = 0;
        link.Server.Listener.MessageReceived = message =>
        {
            hash.AppendData(message.Data);
            receivedBytes += message.Data.Length;
        };
        Assert.True(link.RunUntil(() => receivedBytes == source.Length, 600_000));
        Assert.Equal(SHA256.HashData(source), hash.GetHashAndReset());
        Assert.Equal(messages, sent);
        Assert.True(link.Client.Association.Counters.Retransmissions > 0);
        Assert.True(link.Client.Association.Counters.FastRetransmits > 0);
        Assert.True(link.Client.Listener.BufferedAmountLowCount > 0);
    }

    [Fact]
    public void A_full_window_of_small_messages_behind_a_loss_is_kept_and_recovered_by_fast_retransmit()
    {
        // 100-byte messages fill a 1 MiB window with about 9,000 chunks. Before, the receiver kept only 4,096 TSNs past a
        // hole and dropped the rest unreported, so the sender could only wait for its retransmission timer, doubling each
        // time: a stall (found by bench/data-channels.sh). Now what fits the window is kept.
        var link = SimulatedSctpLink.Established(new LinkSettings { DelayMillis = 5, LossRate = 0.01, Seed = 9 });
        const int messages = 40_000;
        byte[] payload = new byte[100];
        int sent = 0, received = 0;
        void Fill()
        {
            while (sent < messages && link.Client.Association.Send(0, 53, payload, default, link.Now) == SctpSendResult.Queued) sent++;
        }
        link.Client.Listener.BufferedAmountLow = Fill;
        link.Server.Listener.MessageReceived = _ => received++;
        Fill();

        Assert.True(link.RunUntil(() => received == messages, 60_000), $"{received} of {messages} delivered");
        var (dropped, fast, timeouts) = (link.Server.Association.Counters.DataChunksDropped, link.Client.Association.Counters.FastRetransmits, link.Client.Association.Counters.T3Expirations);
        Assert.True(dropped == 0 && fast > 0 && timeouts <= 2, $"{dropped} chunks dropped, {fast} fast retransmits, {timeouts} timeouts; done at {link.Now} ms");
    }

    [Fact]
    public void A_message_is_cut_to_the_mtu_and_reassembled()
    {
        var link = SimulatedSctpLink.Established(new LinkSettings { DelayMillis = 10 }, new SctpOptions { Mtu = 600 }, new SctpOptions { Mtu = 600 });
        var data = new byte[20_000];
        new Random(1).NextBytes(data);
        int before = link.Client.Sent.Count;
        link.Client.Association.Send(7, 53, data, default, link.Now);
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count == 1, 10_000));
        Assert.Equal(data, link.Server.Listener.Messages[0].Data);
        Assert.Equal(7, link.Server.Listener.Messages[0].StreamId);
        Assert.Equal(53u, link.Server.Listener.Messages[0].PayloadProtocolId);
        Assert.All(link.Client.Sent, p => Assert.True(p.Length <= 600));
        Assert.Equal((20_000 + 571) / 572, link.Client.Association.Counters.DataChunksSent);
    }

    [Fact]
    public void Small_messages_waiting_for_the_window_share_packets()
    {
        var link = SimulatedSctpLink.Established();
        int before = link.Client.Sent.Count;
        link.Client.Association.Send(0, 53, new byte[20 * 1172], default, link.Now); // 20 full packets, 4 of them within the first cwnd
        for (int i = 0; i < 30; i++) link.Client.Association.Send(1, 51, new byte[20], default, link.Now);
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count == 31, 10_000));
        Assert.InRange(link.Client.Sent.Skip(before).Count(p => SctpTestPackets.Has(p, SctpChunkType.Data)), 20, 21);
    }

    [Fact]
    public void Unordered_messages_are_not_held_behind_a_lost_one()
    {
        var link = SimulatedSctpLink.Established(new LinkSettings { DelayMillis = 50 });
        bool dropped = false;
        link.Client.Filter = p =>
        {
            if (dropped || !SctpTestPackets.Has(p, SctpChunkType.Data)) return true;
            dropped = true;
            return false;
        };
        link.Client.Association.Send(0, 51, [1], new SctpSendOptions(Unordered: true), link.Now);
        link.RunFor(5);
        link.Client.Association.Send(0, 51, [2], new SctpSendOptions(Unordered: true), link.Now);
        link.Client.Association.Send(1, 51, [3], default, link.Now);
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count == 2, 200));
        Assert.Equal([[2], [3]], link.Server.Listener.Messages.Select(m => m.Data));
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count == 3, 5000));
        Assert.Equal([1], link.Server.Listener.Messages[2].Data);
    }

    [Fact]
    public void Send_refuses_what_cannot_be_queued()
    {
        var link = new SimulatedSctpLink(clientOptions: new SctpOptions { RemoteMaxMessageSize = 1000, MaxSendQueueBytes = 3000 });
        Assert.Equal(SctpSendResult.NotEstablished, link.Client.Association.Send(0, 51, [1], default, 0));
        link.Client.Association.Connect(0);
        Assert.True(link.RunUntil(() => link.Client.Association.State == SctpState.Established, 10_000));
        var association = link.Client.Association;
        Assert.Equal(SctpSendResult.EmptyMessage, association.Send(0, 56, [], default, link.Now));
        Assert.Equal(SctpSendResult.MessageTooLarge, association.Send(0, 53, new byte[1001], default, link.Now));
        Assert.Equal(SctpSendResult.InvalidStream, association.Send(1024, 53, new byte[1], default, link.Now));
        link.Server.Filter = _ => false; // nothing is acknowledged
        Assert.Equal(SctpSendResult.Queued, association.Send(0, 53, new byte[1000], default, link.Now));
        Assert.Equal(SctpSendResult.Queued, association.Send(0, 53, new byte[1000], default, link.Now));
        Assert.Equal(SctpSendResult.Queued, association.Send(0, 53, new byte[1000], default, link.Now));
        Assert.Equal(SctpSendResult.QueueFull, association.Send(0, 53, new byte[1], default, link.Now));
        Assert.Equal(3000, association.BufferedAmount);
        link.Server.Filter = null;
        Assert.True(link.RunUntil(() => association.BufferedAmount == 0, 10_000));
        Assert.Equal(SctpSendResult.Queued, association.Send(0, 53, new byte[1], default, link.Now));
    }
}
