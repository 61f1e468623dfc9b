using Switchboard.Media.Contracts;
using Switchboard.Media.Sfu;
using Switchboard.Media.Tests.Sfu.Simulation;

namespace Switchboard.Media.Tests.Sfu;

/// <summary>
/// Simulcast layer choice in simulated time: the rendered size, the layers publishers may pause, going down at once on
/// congestion and back up no sooner than 3 s and only once a probe has shown the path carries the layer. The
/// intervals are written out as numbers: a change to one of the SFU's timers must fail a test here.
/// </summary>
public sealed class SfuLayerSimulationTests
{
    private static (SfuHarness Harness, SimulatedParticipant Alice, SimulatedParticipant Bob) Call()
    {
        var harness = new SfuHarness();
        var alice = harness.Join("alice", PublishSpec.AudioAndSimulcast);
        var bob = harness.Join("bob");
        harness.Run(TimeSpan.FromMilliseconds(200));
        bob.SubscribeToAll();
        return (harness, alice, bob);
    }

    private static DownTrack Stream(SfuHarness harness, string subscriber, string trackId) =>
        harness.Sfu.Room(SfuHarness.Room)!.Participant(subscriber)!.Subscriptions.Values.Single(d => d.Track.Id == trackId);

    [Theory]
    [InlineData(320, 180, 0)]
    [InlineData(100, 100, 0)]
    [InlineData(640, 360, 1)]
    [InlineData(641, 360, 2)]
    [InlineData(1280, 720, 2)]
    [InlineData(0, 0, 2)]
    public void A_subscriber_gets_the_smallest_layer_that_covers_the_size_it_renders(int width, int height, int layer)
    {
        var (harness, alice, bob) = Call();
        bob.Render(alice.CameraTrackId, width, height);
        harness.Run(TimeSpan.FromSeconds(3));

        IncomingStream video = bob.Incoming(alice.CameraTrackId);
        Assert.True(video.Layer == layer && video.FramesDecoded > 45, bob.Describe());
    }

    [Fact]
    public void The_statistics_say_which_layer_a_subscriber_gets_and_why()
    {
        var (harness, alice, bob) = Call();
        SubscriptionStatistics Camera() => harness.Sfu.Statistics(SfuHarness.Room).Single(p => p.ParticipantId == "bob").Subscriptions.Single(s => s.TrackId == alice.CameraTrackId);

        bob.Render(alice.CameraTrackId, 320, 180);
        harness.Run(TimeSpan.FromSeconds(3));
        Assert.Equal((0, 3, LayerReasons.RenderedSize), (Camera().ForwardedLayer, Camera().Layers, Camera().Reason));
        Assert.True(Camera().Bitrate > 0);

        bob.Render(alice.CameraTrackId, 1280, 720);
        harness.RunUntil(() => Camera().ForwardedLayer == 2, TimeSpan.FromSeconds(2), "the top layer");
        Assert.Equal(LayerReasons.Best, Camera().Reason);

        bob.Downlink.CapacityBitsPerSecond = 400_000;
        harness.RunUntil(() => Camera().ForwardedLayer == 0, TimeSpan.FromSeconds(2), "layer 0 under congestion");
        Assert.Equal(LayerReasons.Bandwidth, Camera().Reason);

        ParticipantMediaStatistics bobs = harness.Sfu.Statistics(SfuHarness.Room).Single(p => p.ParticipantId == "bob");
        Assert.Contains(bobs.Events, e => e.Kind == "layer-switch" && e.Detail == $"{alice.CameraTrackId}: layer 2 to 0 (congestion)");
        Assert.True(bobs.BandwidthEstimate < 1_000_000 && bobs.Congested, $"{bobs.BandwidthEstimate} {bobs.Congested}");
        Assert.True(bobs.BitrateOut > 0);
        ParticipantMediaStatistics alices = harness.Sfu.Statistics(SfuHarness.Room).Single(p => p.ParticipantId == "alice");
        PublishedTrackStatistics camera = alices.Published.Single(t => t.Source == "camera");
        Assert.Equal(3, camera.Layers.Count);
        Assert.True(camera.Layers[0].Bitrate > 0 && alices.BitrateIn >= camera.Bitrate, string.Join(", ", camera.Layers));
        Assert.Equal(0, alices.LossIn);
    }

    [Fact]
    public void Layers_nobody_receives_are_paused_at_the_publisher_and_resume_with_a_keyframe_when_wanted()
    {
        var harness = new SfuHarness();
        var alice = harness.Join("alice", PublishSpec.AudioAndSimulcast);
        harness.Run(TimeSpan.FromSeconds(1));
        // Nobody receives: only the lowest layer runs, so a new subscriber starts at once.
        Assert.Equal([true, false, false], harness.LayerDemands.Last().Demand.Active);
        Assert.Equal([false, true, true], alice.VideoStreams.Select(v => v.Paused));

        var bob = harness.Join("bob");
        bob.SubscribeToAll();
        bob.Render(alice.CameraTrackId, 320, 180);
        harness.Run(TimeSpan.FromSeconds(2));
        Assert.Equal([true, false, false], harness.LayerDemands.Last().Demand.Active);
        Assert.Equal(0, bob.Incoming(alice.CameraTrackId).Layer);

        bob.Render(alice.CameraTrackId, 1280, 720);
        long askedAt = harness.NowMillis;
        harness.RunUntil(() => !alice.VideoStreams[2].Paused, TimeSpan.FromSeconds(1), "the top layer resumed");
        Assert.InRange(harness.NowMillis - askedAt, 1, 500 + 100); // the room's layer demand interval, on the host's timer
        harness.RunUntil(() => bob.Incoming(alice.CameraTrackId).Layer == 2, TimeSpan.FromSeconds(2), "the top layer at the subscriber");
        Assert.Equal(0, bob.Incoming(alice.CameraTrackId).PictureIdJumps);
    }

    [Fact]
    public void A_camera_published_again_under_the_same_id_is_told_again_which_layers_to_pause()
    {
        var harness = new SfuHarness();
        harness.Join("bob", PublishSpec.AudioOnly); // keeps the room while alice is away
        var alice = harness.Join("alice", PublishSpec.AudioAndSimulcast);
        harness.Run(TimeSpan.FromSeconds(1));
        Assert.Equal([false, true, true], alice.VideoStreams.Select(v => v.Paused));

        harness.Leave(alice);
        harness.Run(TimeSpan.FromSeconds(1));
        int demands = harness.LayerDemands.Count;
        var again = harness.Join("alice", PublishSpec.AudioAndSimulcast);
        harness.Run(TimeSpan.FromSeconds(1));

        // The same demand as before it left, but this publication has not been told it: the room forgot the old track.
        Assert.Equal([true, false, false], Assert.Single(harness.LayerDemands.Skip(demands)).Demand.Active);
        Assert.Equal([false, true, true], again.VideoStreams.Select(v => v.Paused));
    }

    [Fact]
    public void Under_congestion_a_subscriber_goes_down_at_once_and_back_up_no_sooner_than_3_s_after_probing_its_path()
    {
        var (harness, alice, bob) = Call();
        harness.Run(TimeSpan.FromSeconds(3));
        DownTrack stream = Stream(harness, "bob", alice.CameraTrackId);
        var path = harness.Sfu.Room(SfuHarness.Room)!.Participant("bob")!.Path;
        Assert.Equal(2, stream.Layers.Forwarded);

        // A 400 kbit/s bottleneck: the 1.2 Mbit/s layer overloads it; the first feedback that shows it brings layer 0.
        bob.Downlink.CapacityBitsPerSecond = 400_000;
        long congestedAt = harness.NowMillis;
        harness.RunUntil(() => stream.Layers.Forwarded == 0, TimeSpan.FromSeconds(1), "layer 0 forwarded");
        long downAt = harness.NowMillis;
        harness.RunUntil(() => bob.Incoming(alice.CameraTrackId).Layer == 0, TimeSpan.FromSeconds(2), "layer 0 decoded");

        // Held down while the path is narrow, whatever the probes find.
        var probes = new List<(long Start, long End, int Copies)>();
        void Watch(TimeSpan duration)
        {
            for (long end = harness.NowMillis + (long)duration.TotalMilliseconds; harness.NowMillis < end;)
            {
                harness.Run(TimeSpan.FromMilliseconds(1));
                int copies = path.ProbeCopies;
                bool running = probes.Count > 0 && probes[^1].End == harness.NowMillis - 1;
                if (copies > 0 && running) probes[^1] = (probes[^1].Start, harness.NowMillis, Math.Max(copies, probes[^1].Copies));
                else if (copies > 0) probes.Add((harness.NowMillis, harness.NowMillis, copies));
            }
        }
        Watch(TimeSpan.FromSeconds(6));
        Assert.Equal(0, stream.Layers.Forwarded);

        bob.Downlink.CapacityBitsPerSecond = long.MaxValue;
        long wideAt = harness.NowMillis;
        Watch(TimeSpan.FromSeconds(10));
        IncomingStream video = bob.Incoming(alice.CameraTrackId);
        var up = video.LayerChanges.Last();
        Assert.True(up.Layer == 2 && up.AtMillis > wideAt, bob.Describe());
        Assert.True(up.AtMillis - downAt >= 3000);
        Assert.InRange(downAt - congestedAt, 1, 1000);

        // Probes: each 1.5 s (ended by the first layer selection, every 250 ms, after that), at most one per 3 s, at most
        // 8 copies; one ran between the end of the bottleneck and the step up.
        Assert.Contains(probes, p => p.Start > wideAt && p.Start < up.AtMillis);
        foreach (var probe in probes)
        {
            Assert.InRange(probe.End + 1 - probe.Start, 1, 1500 + 250);
            Assert.InRange(probe.Copies, 1, 8);
        }
        Assert.True(probes.Any(p => p.End + 1 - p.Start >= 1500), string.Join(" ", probes)); // one ran its whole time
        for (int i = 1; i < probes.Count; i++) Assert.True(probes[i].Start - probes[i - 1].Start >= 3000, string.Join(" ", probes));
        Assert.True(video.LongestFreezeMillis < 1000, bob.Describe());
    }

    [Fact]
    public void After_a_short_congestion_the_step_up_waits_3_s()
    {
        var (harness, alice, bob) = Call();
        harness.Run(TimeSpan.FromSeconds(3));
        DownTrack stream = Stream(harness, "bob", alice.CameraTrackId);
        bob.Downlink.CapacityBitsPerSecond = 400_000;
        harness.RunUntil(() => stream.Layers.Forwarded == 0, TimeSpan.FromSeconds(1), "layer 0 forwarded");
        long downAt = harness.NowMillis;
        bob.Downlink.CapacityBitsPerSecond = long.MaxValue;
        harness.RunUntil(() => stream.Layers.Forwarded == 2, TimeSpan.FromSeconds(10), "back to the top layer");

        // The step up waited 3 s, then for the probe that showed the path carries the layer (up to 1.5 s, at the
        // next layer selection after).
        Assert.InRange(harness.NowMillis - downAt, 3000, 3000 + 1500 + 2 * 250 + 100);
    }
}
