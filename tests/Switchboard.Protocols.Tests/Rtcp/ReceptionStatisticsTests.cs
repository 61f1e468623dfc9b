using Switchboard.Protocols.Rtcp;

namespace Switchboard.Protocols.Tests.Rtcp;

/// <summary>Reception statistics as RFC 3550 Appendix A counts them, turned into report blocks.</summary>
public class ReceptionStatisticsTests
{
    [Fact]
    public void Extended_highest_sequence_number_crosses_the_wrap_and_ignores_late_packets()
    {
        var statistics = new ReceptionStatistics(7, 90_000);
        foreach (ushort sequence in new ushort[] { 65_534, 65_535, 0, 1, 65_533, 2 }) statistics.OnPacket(sequence, 0, 0);
        ReportBlock block = statistics.CreateReportBlock(0);
        Assert.Equal(7u, block.Ssrc);
        Assert.Equal(0x1_0002u, block.HighestSequence); // one cycle, then 2
        // 65,534 .. 65,538 expected, 6 received: the late 65,533 from before the first counts as received (RFC 3550 A.3).
        Assert.Equal(-1, block.CumulativeLost);
    }

    [Fact]
    public void Loss_is_counted_cumulatively_and_as_a_fraction_of_each_interval()
    {
        var statistics = new ReceptionStatistics(1, 48_000);
        for (ushort sequence = 100; sequence < 200; sequence++)
            if (sequence % 4 != 0) statistics.OnPacket(sequence, 0, 0); // a quarter lost
        ReportBlock first = statistics.CreateReportBlock(0);
        Assert.Equal(24, first.CumulativeLost); // 101..199 expected (100 never came, 101 is the first), 104..196 lost
        Assert.Equal((byte)(24 * 256 / 99), first.FractionLost);

        for (ushort sequence = 200; sequence < 300; sequence++) statistics.OnPacket(sequence, 0, 0);
        ReportBlock second = statistics.CreateReportBlock(0);
        Assert.Equal(24, second.CumulativeLost);
        Assert.Equal(0, second.FractionLost); // nothing lost since the last block
    }

    [Fact]
    public void Duplicates_make_cumulative_loss_negative_and_the_fraction_zero()
    {
        var statistics = new ReceptionStatistics(1, 48_000);
        for (int i = 0; i < 3; i++) statistics.OnPacket(10, 0, 0);
        ReportBlock block = statistics.CreateReportBlock(0);
        Assert.Equal(-2, block.CumulativeLost);
        Assert.Equal(0, block.FractionLost);
    }

    [Fact]
    public void Jitter_follows_the_spread_of_transit_times_in_timestamp_units()
    {
        var steady = new ReceptionStatistics(1, 90_000);
        var shaky = new ReceptionStatistics(2, 90_000);
        for (int i = 0; i < 200; i++)
        {
            uint timestamp = (uint)(i * 3000); // 30 frames/s
            steady.OnPacket((ushort)i, timestamp, i * 1000L / 30);
            shaky.OnPacket((ushort)i, timestamp, i * 1000L / 30 + (i % 2 == 0 ? 0 : 20)); // every other packet 20 ms late
        }
        Assert.InRange(steady.Jitter, 0u, 100u); // rounding of whole milliseconds only
        Assert.InRange(shaky.Jitter, 1_500u, 1_900u); // 20 ms = 1,800 units; the estimate converges to it
    }

    [Fact]
    public void Last_sender_report_and_the_delay_since_it_fill_lsr_and_dlsr()
    {
        var statistics = new ReceptionStatistics(1, 90_000);
        statistics.OnPacket(1, 0, 0);
        Assert.Equal(0u, statistics.CreateReportBlock(0).LastSenderReport); // no SR yet
        statistics.OnSenderReport(0x1122_3344_5566_7788, nowMillis: 1_000);
        ReportBlock block = statistics.CreateReportBlock(1_500);
        Assert.Equal(0x3344_5566u, block.LastSenderReport); // the middle 32 bits
        Assert.Equal(65536u / 2, block.DelaySinceLastSenderReport); // 500 ms in 1/65536 s
    }
}
