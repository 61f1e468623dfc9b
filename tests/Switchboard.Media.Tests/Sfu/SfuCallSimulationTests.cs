using Switchboard.Media.Tests.Sfu.Simulation;

namespace Switchboard.Media.Tests.Sfu;

/// <summary>A whole call in simulated time: ten minutes of four participants over lossy paths, reconnects, layer switches and a bottleneck.</summary>
public sealed class SfuCallSimulationTests
{
    [Fact]
    public void A_ten_minute_call_with_5_percent_loss_two_reconnects_and_layer_switches_stays_watchable_for_everyone()
    {
        var harness = new SfuHarness(seed: 10);
        var alice = harness.Join("alice", PublishSpec.AudioAndSimulcast);
        var bob = harness.Join("bob", PublishSpec.AudioAndSimulcast);
        var carol = harness.Join("carol", PublishSpec.AudioAndVideo);
        var dave = harness.Join("dave");
        SimulatedParticipant[] everyone = [alice, bob, carol, dave];
        foreach (var participant in everyone)
        {
            participant.Uplink.Loss = participant.Downlink.Loss = 0.05;
            participant.Uplink.JitterMillis = 5;
        }
        harness.Run(TimeSpan.FromMilliseconds(500));
        foreach (var participant in everyone) participant.SubscribeToAll();

        SimulatedParticipant[] publishers = [alice, bob, carol];
        for (int minute = 0; minute < 10; minute++)
        {
            // Who speaks, and how large each subscriber shows the others, change every minute.
            for (int i = 0; i < publishers.Length; i++) publishers[i].AudioLevel = (byte)(i == minute % 3 ? 20 : 127);
            foreach (var viewer in everyone)
                foreach (var publisher in publishers.Where(p => p != viewer))
                    viewer.Render(publisher.CameraTrackId, minute % 2 == 0 ? 1280 : 320, minute % 2 == 0 ? 720 : 180);
            if (minute == 3) bob.Reconnect();
            if (minute == 6) alice.Reconnect();
            if (minute == 8) dave.Downlink.CapacityBitsPerSecond = 2_000_000; // less than the top layers need
            if (minute == 9) dave.Downlink.CapacityBitsPerSecond = long.MaxValue;
            harness.Run(TimeSpan.FromMinutes(1));
        }

        foreach (var viewer in everyone)
        {
            foreach (var publisher in publishers.Where(p => p != viewer))
            {
                var video = viewer.AllIncoming.Where(s => s.TrackId == publisher.CameraTrackId).ToList();
                var audio = viewer.AllIncoming.Where(s => s.TrackId == publisher.MicrophoneTrackId).ToList();
                string report = viewer.Describe();
                Assert.True(video.Sum(s => s.FramesDecoded) >= 600 * 30 * 0.9, report);
                Assert.True(audio.Sum(s => s.FramesDecoded) >= 600 * 50 * 0.85, report);
                Assert.All(video.Concat(audio), s => Assert.True(s.TimestampRegressions == 0 && s.PictureIdJumps == 0, report));
                Assert.All(video, s => Assert.True(s.LongestFreezeMillis < 2000, report));
                // Top and bottom layer in turn each minute (the first minute's included), but while the bottleneck holds.
                if (publisher.Publish.Simulcast) Assert.True(video.Sum(s => s.LayerChanges.Count) >= 8, report);
            }
        }
        // No keyframe storm: publishers were asked at most about one keyframe per second per layer.
        foreach (var publisher in publishers) Assert.True(publisher.KeyframeRequestsAt.Count <= 600 * publisher.Publish.Video.Count, publisher.Describe());
        Assert.Equal(6, harness.Transport.Connections.Count);
        Assert.Equal(2, harness.Transport.Connections.Count(c => c.IsClosed));
    }
}
