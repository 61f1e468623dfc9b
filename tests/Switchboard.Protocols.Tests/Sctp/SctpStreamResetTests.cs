using System.Buffers.Binary;
using Switchboard.Protocols.Sctp;
using Switchboard.Protocols.Tests.Sctp.Simulation;
using static Switchboard.Protocols.Tests.Sctp.Simulation.SctpTestPackets;

namespace Switchboard.Protocols.Tests.Sctp;

/// <summary>Stream reset (RFC 6525): how data channels close, both ways, and reopen on the same stream id.</summary>
public class SctpStreamResetTests
{
    private static ushort SsnOfLastData(List<byte[]> sent)
    {
        var value = ChunkValue(sent.Last(p => Has(p, SctpChunkType.Data)), SctpChunkType.Data)!;
        return BinaryPrimitives.ReadUInt16BigEndian(value.AsSpan(6));
    }

    [Fact]
    public void Resetting_a_stream_reports_both_sides_and_numbering_restarts_at_zero()
    {
        var link = SimulatedSctpLink.Established(new LinkSettings { DelayMillis = 20 });
        for (int i = 0; i < 5; i++) link.Client.Association.Send(3, 51, [(byte)i], default, link.Now);
        link.Client.Association.ResetStreams([3], link.Now);
        link.Client.Association.Send(3, 51, [100], default, link.Now); // after the reset: waits for it, then goes as SSN 0
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count == 6, 10_000));

        Assert.Equal([[3]], link.Client.Listener.OutgoingResets);
        Assert.Equal([[3]], link.Server.Listener.IncomingResets);
        Assert.Equal([[0], [1], [2], [3], [4], [100]], link.Server.Listener.Messages.Select(m => m.Data));
        Assert.Equal(["message:3", "message:3", "message:3", "message:3", "message:3", "incoming-reset", "message:3"],
            link.Server.Listener.Events.Skip(1));
        Assert.Equal(0, SsnOfLastData(link.Client.Sent));
    }

    [Fact]
    public void Both_sides_close_the_same_stream_and_reopen_it()
    {
        var link = SimulatedSctpLink.Established(new LinkSettings { DelayMillis = 20 });
        link.Client.Association.Send(1, 50, [1], default, link.Now);
        link.Server.Association.Send(1, 50, [2], default, link.Now);
        link.RunFor(500);
        link.Client.Association.ResetStreams([1], link.Now);
        link.Server.Association.ResetStreams([1], link.Now);
        Assert.True(link.RunUntil(() => link.Client.Listener.OutgoingResets.Count == 1 && link.Server.Listener.OutgoingResets.Count == 1 &&
            link.Client.Listener.IncomingResets.Count == 1 && link.Server.Listener.IncomingResets.Count == 1, 10_000));

        // Reopened (a new DCEP OPEN would be SSN 0 again): each side's first message on the stream id is delivered.
        link.Client.Association.Send(1, 50, [3], default, link.Now);
        link.Server.Association.Send(1, 50, [4], default, link.Now);
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count == 2 && link.Client.Listener.Messages.Count == 2, 10_000));
        Assert.Equal([3], link.Server.Listener.Messages[1].Data);
        Assert.Equal([4], link.Client.Listener.Messages[1].Data);
        Assert.Equal(0, SsnOfLastData(link.Client.Sent));
        Assert.Equal(0, SsnOfLastData(link.Server.Sent));
    }

    [Fact]
    public void A_reset_request_that_overtakes_its_data_waits_for_it()
    {
        var link = SimulatedSctpLink.Established(new LinkSettings { DelayMillis = 20 });
        bool held = false;
        link.Client.Filter = p =>
        {
            if (held || !Has(p, SctpChunkType.Data)) return true;
            held = true;
            link.Inject(link.Server, p, 300); // the data arrives long after the request that follows it
            return false;
        };
        link.Client.Association.Send(5, 51, [7], default, link.Now);
        link.Client.Association.ResetStreams([5], link.Now);
        link.Client.Association.Send(5, 51, [8], default, link.Now);
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count == 2, 10_000));
        Assert.Equal([[7], [8]], link.Server.Listener.Messages.Select(m => m.Data));
        Assert.Equal(["message:5", "incoming-reset", "message:5"], link.Server.Listener.Events.Skip(1));
        Assert.Contains(link.Server.Sent, p => Has(p, SctpChunkType.ReConfig) &&
            BinaryPrimitives.ReadUInt32BigEndian(ChunkValue(p, SctpChunkType.ReConfig).AsSpan(8)) == (uint)ReconfigurationResult.InProgress);
        Assert.Single(link.Client.Listener.OutgoingResets);
        Assert.Single(link.Server.Listener.IncomingResets);
    }

    [Fact]
    public void A_retransmitted_request_is_answered_again_without_a_second_reset()
    {
        var link = SimulatedSctpLink.Established(new LinkSettings { DelayMillis = 20 });
        int responses = 0;
        link.Server.Filter = p => !Has(p, SctpChunkType.ReConfig) || ++responses > 1; // the first answer is lost
        link.Client.Association.ResetStreams([2, 9], link.Now);
        Assert.True(link.RunUntil(() => link.Client.Listener.OutgoingResets.Count == 1, 10_000));
        link.RunFor(5000);
        Assert.Equal(2, link.Client.Sent.Count(p => Has(p, SctpChunkType.ReConfig)));
        Assert.Equal([[2, 9]], link.Server.Listener.IncomingResets);
        Assert.Equal([[2, 9]], link.Client.Listener.OutgoingResets);
    }

    [Fact]
    public void Resets_go_through_a_lossy_link_with_traffic()
    {
        var link = SimulatedSctpLink.Established(new LinkSettings { DelayMillis = 30, JitterMillis = 20, LossRate = 0.1, Seed = 4 });
        for (ushort stream = 0; stream < 10; stream++)
        {
            for (int i = 0; i < 10; i++) link.Client.Association.Send(stream, 51, [(byte)stream, (byte)i], default, link.Now);
            link.Client.Association.ResetStreams([stream], link.Now);
            link.Client.Association.Send(stream, 51, [(byte)stream, 200], default, link.Now);
            link.RunFor(50);
        }
        Assert.True(link.RunUntil(() => link.Server.Listener.Messages.Count == 110 && link.Client.Listener.OutgoingResets.Sum(r => r.Length) == 10, 300_000));
        for (ushort stream = 0; stream < 10; stream++)
        {
            var data = link.Server.Listener.Messages.Where(m => m.StreamId == stream).Select(m => m.Data[1]).ToArray();
            Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 200], data);
        }
        Assert.Equal(10, link.Server.Listener.IncomingResets.Sum(r => r.Length));
    }
}
