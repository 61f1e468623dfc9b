using Switchboard.Signaling.Quality;

namespace Switchboard.Signaling.Tests.Quality;

/// <summary>The score of docs/signaling.md, "Call quality", at the points a reader can check by hand.</summary>
public sealed class MosEstimateTests
{
    [Fact]
    public void A_clean_path_scores_near_the_top_and_nothing_degraded()
    {
        var clean = new QualityMeasures(RttMs: 20, JitterMs: 2, Loss: 0, Fps: 30, FrozenShare: 0);
        // Latency 10 + 4 + 10 = 24 ms: R = 93.2 - 0.6 = 92.6, MOS 4.40.
        Assert.Equal(4.40, MosEstimate.Score(clean), 2);
        Assert.Empty(MosEstimate.Degradations(clean, freezes: 0));
    }

    [Fact]
    public void Nothing_measured_is_a_clean_path()
    {
        // Latency 10 ms: R = 92.95.
        Assert.Equal(4.40, MosEstimate.Score(default), 2);
    }

    [Theory]
    [InlineData(20, 2, 0.05, 30, 0, 4.03, "loss")] // R = 92.6 - 12.5 = 80.1
    [InlineData(600, 2, 0, 30, 0, 3.77, "rtt")] // latency 314 ms: R = 93.2 - 19.4 = 73.8
    [InlineData(20, 50, 0, 30, 0, 4.34, "jitter")] // latency 120 ms: R = 93.2 - 3 = 90.2
    [InlineData(20, 2, 0, 30, 0.2, 3.72, "freezes")] // frozen a fifth of the time: R = 92.6 - 20 = 72.6
    [InlineData(20, 2, 0, 5, 0, 3.93, "frame-rate")] // 5 frames/s: R = 92.6 - 3 x 5 = 77.6
    public void Each_degradation_lowers_the_score_and_is_named(double rtt, double jitter, double loss, double fps, double frozen, double mos, string degraded)
    {
        var measures = new QualityMeasures(rtt, jitter, loss, fps, frozen);
        Assert.Equal(mos, MosEstimate.Score(measures), 2);
        Assert.Equal([degraded], MosEstimate.Degradations(measures, freezes: 0));
    }

    [Fact]
    public void The_score_stays_within_1_and_4_5_however_bad_or_good()
    {
        Assert.Equal(1, MosEstimate.Score(new QualityMeasures(60_000, 60_000, 1, 0, 1)));
        Assert.InRange(MosEstimate.Score(new QualityMeasures(0, 0, 0, 1000, 0)), 4.4, 4.5);
    }

    [Fact]
    public void A_freeze_counted_in_the_point_is_named_even_when_short()
    {
        Assert.Equal([QualityDegradations.Freezes], MosEstimate.Degradations(new QualityMeasures(20, 2, 0, 30, 0), freezes: 1));
    }
}
