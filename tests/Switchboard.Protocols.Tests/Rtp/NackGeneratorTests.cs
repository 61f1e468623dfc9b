using Switchboard.Protocols.Rtp;

namespace Switchboard.Protocols.Tests.Rtp;

/// <summary>Which lost packets to ask a publisher for again (generic NACK), and when.</summary>
public class NackGeneratorTests
{
    private static ushort[] Due(NackGenerator nacks, long now, long rtt = 50, int room = 64)
    {
        var output = new ushort[room];
        return output[..nacks.CollectDue(now, rtt, output)];
    }

    [Fact]
    public void A_gap_is_due_at_once()
    {
        var nacks = new NackGenerator();
        nacks.OnPacket(100, 0);
        nacks.OnPacket(101, 0);
        Assert.Empty(Due(nacks, 0));
        nacks.OnPacket(105, 10);
        Assert.Equal(3, nacks.MissingCount);
        Assert.Equal([102, 103, 104], Due(nacks, 10));
    }

    [Fact]
    public void Each_missing_packet_is_asked_again_every_round_trip_at_most_the_maximum_retries()
    {
        var nacks = new NackGenerator(maxRetries: 3);
        nacks.OnPacket(1, 0);
        nacks.OnPacket(3, 0);
        Assert.Equal([2], Due(nacks, 0, rtt: 100));
        Assert.Empty(Due(nacks, 99, rtt: 100));
        Assert.Equal([2], Due(nacks, 100, rtt: 100));
        Assert.Equal([2], Due(nacks, 200, rtt: 100));
        Assert.Equal(1, nacks.MissingCount);
        Assert.Empty(Due(nacks, 300, rtt: 100)); // asked three times: given up
        Assert.Equal(0, nacks.MissingCount);
    }

    [Fact]
    public void Retries_are_at_least_20_ms_apart()
    {
        var nacks = new NackGenerator();
        nacks.OnPacket(1, 0);
        nacks.OnPacket(3, 0);
        Assert.Equal([2], Due(nacks, 0, rtt: 0));
        Assert.Empty(Due(nacks, 19, rtt: 0));
        Assert.Equal([2], Due(nacks, 20, rtt: 0));
    }

    [Fact]
    public void A_recovered_packet_is_no_longer_missing()
    {
        var nacks = new NackGenerator();
        nacks.OnPacket(10, 0);
        nacks.OnPacket(15, 0);
        Assert.Equal([11, 12, 13, 14], Due(nacks, 0));
        nacks.OnPacket(12, 30); // the retransmission
        nacks.OnPacket(11, 31);
        Assert.Equal(2, nacks.MissingCount);
        Assert.Equal([13, 14], Due(nacks, 50));
        nacks.OnPacket(14, 60);
        nacks.OnPacket(14, 61); // twice: nothing more happens
        Assert.Equal([13], Due(nacks, 100));
    }

    [Fact]
    public void Reordering_that_arrives_before_the_next_collection_is_not_asked_for()
    {
        var nacks = new NackGenerator();
        nacks.OnPacket(1, 0);
        nacks.OnPacket(3, 1);
        nacks.OnPacket(2, 2);
        nacks.OnPacket(4, 3);
        Assert.Equal(0, nacks.MissingCount);
        Assert.Empty(Due(nacks, 5));
    }

    [Fact]
    public void Sequence_numbers_wrap_around_and_come_out_in_wrap_order()
    {
        var nacks = new NackGenerator();
        nacks.OnPacket(65_533, 0);
        nacks.OnPacket(2, 0);
        Assert.Equal([65_534, 65_535, 0, 1], Due(nacks, 0));
        nacks.OnPacket(65_535, 10);
        nacks.OnPacket(0, 10);
        Assert.Equal([65_534, 1], Due(nacks, 100));
    }

    [Fact]
    public void A_jump_larger_than_the_maximum_clears_everything()
    {
        var nacks = new NackGenerator(maxMissing: 100);
        nacks.OnPacket(0, 0);
        nacks.OnPacket(5, 0);
        Assert.Equal(4, nacks.MissingCount);
        nacks.OnPacket(107, 1); // 101 skipped: too many to ask for
        Assert.Equal(0, nacks.MissingCount);
        Assert.Empty(Due(nacks, 1));
        nacks.OnPacket(208, 2); // exactly 100 skipped: asked for
        Assert.Equal(100, nacks.MissingCount);
    }

    [Fact]
    public void When_full_the_oldest_missing_are_dropped()
    {
        var nacks = new NackGenerator(maxMissing: 4);
        nacks.OnPacket(0, 0);
        nacks.OnPacket(3, 0); // 1, 2
        nacks.OnPacket(7, 0); // 4, 5, 6: 1 is dropped
        Assert.Equal(4, nacks.MissingCount);
        Assert.Equal([2, 4, 5, 6], Due(nacks, 0));
    }

    [Fact]
    public void What_does_not_fit_the_output_stays_due()
    {
        var nacks = new NackGenerator();
        nacks.OnPacket(0, 0);
        nacks.OnPacket(6, 0);
        Assert.Equal([1, 2], Due(nacks, 0, room: 2));
        Assert.Equal([3, 4, 5], Due(nacks, 1));
        Assert.Equal([1, 2], Due(nacks, 50)); // their first retry
        Assert.Equal([3, 4, 5], Due(nacks, 51));
    }

    [Fact]
    public void Old_and_duplicate_packets_add_nothing()
    {
        var nacks = new NackGenerator();
        nacks.OnPacket(1000, 0);
        nacks.OnPacket(1000, 0);
        nacks.OnPacket(900, 0);
        Assert.Equal(0, nacks.MissingCount);
    }

    [Fact]
    public void Receiving_allocates_nothing()
    {
        var nacks = new NackGenerator();
        var output = new ushort[64];
        nacks.OnPacket(0, 0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i < 10_000; i++)
        {
            nacks.OnPacket((ushort)(i * 2), i); // every other one lost
            if (i % 3 == 0) nacks.OnPacket((ushort)(i * 2 - 1), i); // some come back
            nacks.CollectDue(i, 20, output);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
