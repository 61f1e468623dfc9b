using Switchboard.Protocols.Bwe;

namespace Switchboard.Protocols.Tests.Bwe;

/// <summary>Bits per second over a sliding window of ten buckets.</summary>
public class BitrateMeterTests
{
    [Fact]
    public void A_steady_stream_reads_its_bitrate()
    {
        var meter = new BitrateMeter();
        for (long now = 0; now < 5_000; now += 10)
        {
            meter.Add(1_000, now); // 100 packets/s of 1,000 bytes: 800 kbit/s
            if (now < 1_000) continue;
            Assert.InRange(meter.BitsPerSecond(now), 760_000, 840_000);
            Assert.InRange(meter.BitsPerSecond(now + 9), 760_000, 840_000);
        }
        Assert.Equal(4_990, meter.LastPacketAt);
    }

    [Fact]
    public void A_stream_that_stops_falls_to_zero_within_the_window()
    {
        var meter = new BitrateMeter(1_000);
        for (long now = 0; now < 2_000; now += 20) meter.Add(500, now);
        Assert.InRange(meter.BitsPerSecond(2_500), 80_000, 120_000); // half the window left
        Assert.Equal(0, meter.BitsPerSecond(3_100));
        Assert.Equal(1_980, meter.LastPacketAt);
    }

    [Fact]
    public void A_rate_change_shows_after_one_window()
    {
        var meter = new BitrateMeter(500);
        for (long now = 0; now < 1_000; now += 10) meter.Add(250, now); // 200 kbit/s
        for (long now = 1_000; now < 2_000; now += 10) meter.Add(1_250, now); // 1 Mbit/s
        Assert.InRange(meter.BitsPerSecond(1_990), 950_000, 1_050_000);
    }

    [Fact]
    public void Nothing_measured_reads_zero()
    {
        var meter = new BitrateMeter();
        Assert.Equal(0, meter.BitsPerSecond(12_345));
        Assert.Equal(0, meter.LastPacketAt);
    }

    [Fact]
    public void Adding_allocates_nothing()
    {
        var meter = new BitrateMeter();
        meter.Add(1, 0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            meter.Add(1200, i);
            meter.BitsPerSecond(i);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
