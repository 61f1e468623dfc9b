using Microsoft.Extensions.Options;
using Switchboard.Signaling.Quality;

namespace Switchboard.Signaling.Tests.Quality;

/// <summary>The timelines kept: a point per bucket, ended calls kept for the retention, and the bounds on calls and points.</summary>
public sealed class CallQualityLogTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 7, 18, 0, 0, TimeSpan.Zero);

    static readonly StatsMessage Good = new()
    {
        Ms = 5000,
        Cand = "host",
        Proto = "udp",
        Rtt = 20,
        In = new StatsDirection(800, 0, 2),
        Video = [new VideoTrackStats(30, "p_b/camera", 640, 360, 0, 0)],
    };

    static CallQualityLog Log(int maxCalls = 10, int maxBuckets = 100, int retentionMinutes = 60) =>
        new(Options.Create(new SignalingOptions { Quality = new QualityOptions { MaxCalls = maxCalls, MaxBucketsPerCall = maxBuckets, RetentionMinutes = retentionMinutes } }));

    [Fact]
    public void Samples_fall_into_a_point_per_minute_averaged()
    {
        var log = Log();
        for (int s = 0; s < 120; s += 5)
            log.Record("p_a", "room", "ann", Good with { Video = [new VideoTrackStats(s < 60 ? 30 : 5)] }, T0.AddSeconds(s));
        var timeline = log.Timeline("p_a")!;
        Assert.Equal(60, timeline.BucketSeconds);
        Assert.Equal([T0, T0.AddMinutes(1)], timeline.Buckets.Select(b => b.Start));
        Assert.Equal([12, 12], timeline.Buckets.Select(b => b.Samples));
        Assert.Equal([30.0, 5.0], timeline.Buckets.Select(b => b.Fps!.Value));
        Assert.Equal([[], [QualityDegradations.FrameRate]], timeline.Buckets.Select(b => b.Degraded));
        Assert.Equal([QualityDegradations.FrameRate], timeline.Call.Degraded);
        Assert.Equal(timeline.Buckets[1].Score, timeline.Call.WorstScore);
    }

    [Fact]
    public void An_ended_call_is_kept_for_the_retention_then_dropped()
    {
        var log = Log(retentionMinutes: 60);
        log.Record("p_a", "room", "ann", Good, T0);
        log.Sweep(T0.AddSeconds(10), isLive: _ => true);
        Assert.Null(log.Timeline("p_a")!.Call.Ended);
        log.Sweep(T0.AddMinutes(1), isLive: _ => false);
        Assert.Equal(T0.AddMinutes(1), log.Timeline("p_a")!.Call.Ended);
        log.Sweep(T0.AddMinutes(61), isLive: _ => false);
        Assert.NotNull(log.Timeline("p_a"));
        log.Sweep(T0.AddMinutes(61).AddSeconds(1), isLive: _ => false);
        Assert.Null(log.Timeline("p_a"));
    }

    [Fact]
    public void A_full_log_makes_room_by_dropping_the_call_that_ended_first_and_keeps_live_ones()
    {
        var log = Log(maxCalls: 3);
        foreach (var id in new[] { "p_1", "p_2", "p_3" }) log.Record(id, "room", id, Good, T0);
        Assert.Equal(StatsOutcome.Full, log.Record("p_4", "room", "p_4", Good, T0.AddSeconds(5)));
        log.Sweep(T0.AddSeconds(10), id => id != "p_2");
        log.Sweep(T0.AddSeconds(20), id => id == "p_3");
        Assert.Equal(StatsOutcome.Recorded, log.Record("p_4", "room", "p_4", Good, T0.AddSeconds(30)));
        Assert.Equal(["p_1", "p_3", "p_4"], log.List(null, null, null, T0.AddSeconds(30)).Select(c => c.CallId).Order());
        Assert.Equal(3, log.Count);
    }

    [Fact]
    public void A_long_call_keeps_its_newest_points()
    {
        var log = Log(maxBuckets: 3);
        for (int minute = 0; minute < 5; minute++) log.Record("p_a", "room", "ann", Good, T0.AddMinutes(minute));
        var timeline = log.Timeline("p_a")!;
        Assert.True(timeline.Truncated);
        Assert.Equal([T0.AddMinutes(2), T0.AddMinutes(3), T0.AddMinutes(4)], timeline.Buckets.Select(b => b.Start));
    }

    [Fact]
    public void Calls_are_found_by_room_identity_and_about_when()
    {
        var log = Log();
        log.Record("p_a", "standup", "ann", Good, T0);
        log.Record("p_b", "standup", "ben", Good, T0.AddHours(1));
        log.Record("p_c", "retro", "ann", Good, T0.AddHours(1));
        var now = T0.AddHours(2);
        Assert.Equal(["p_b", "p_a"], log.List("standup", null, null, now).Select(c => c.CallId));
        Assert.Equal(["p_c", "p_a"], log.List(null, "ann", null, now).Select(c => c.CallId));
        log.Sweep(T0.AddMinutes(10), id => id != "p_a");
        Assert.Equal(["p_a"], log.List(null, "ann", T0.AddMinutes(12), now).Select(c => c.CallId));
        Assert.Empty(log.List(null, "ann", T0.AddMinutes(20), now));
    }

    [Fact]
    public void The_live_summary_is_the_last_one_sent_and_only_under_its_room()
    {
        var log = Log();
        log.Record("p_a", "room", "ann", Good, T0);
        log.Record("p_a", "room", "ann", Good with { Rtt = 80 }, T0.AddSeconds(5));
        var live = log.Live("room", "p_a")!;
        Assert.Equal((80.0, T0.AddSeconds(5), 2), (live.Latest.Rtt, live.ReceivedAt, live.Current.Samples));
        Assert.Null(log.Live("other", "p_a"));
    }

    [Fact]
    public void Settings_that_would_keep_nothing_or_break_the_points_fail_the_start_naming_the_key()
    {
        var options = new SignalingOptions { Quality = new QualityOptions { BucketSeconds = 0, MaxCalls = -1 } };
        var result = new QualityOptionsValidator().Validate(null, options);
        Assert.Equal(["Signaling:Quality:BucketSeconds must be greater than 0 (it is 0).", "Signaling:Quality:MaxCalls must be greater than 0 (it is -1)."], result.Failures);
        Assert.True(new QualityOptionsValidator().Validate(null, new SignalingOptions()).Succeeded);
    }

    [Fact]
    public void Nothing_is_kept_when_turned_off()
    {
        var log = new CallQualityLog(Options.Create(new SignalingOptions { Quality = new QualityOptions { Enabled = false } }));
        Assert.Equal(StatsOutcome.Off, log.Record("p_a", "room", "ann", Good, T0));
        Assert.Equal(0, log.Count);
    }
}
