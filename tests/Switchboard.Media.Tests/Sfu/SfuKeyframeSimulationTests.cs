using Switchboard.Media.Tests.Sfu.Simulation;

namespace Switchboard.Media.Tests.Sfu;

/// <summary>
/// Keyframe requests in simulated time: subscribers' PLIs merged into one request per 500 ms toward the publisher's
/// layer, and a layer switch that asks again every 500 ms until its keyframe comes. The intervals are numbers here, so
/// that changing the SFU's throttle fails a test.
/// </summary>
public sealed class SfuKeyframeSimulationTests
{
    private static List<long> Gaps(IReadOnlyList<long> times) => times.Zip(times.Skip(1), (a, b) => b - a).ToList();

    [Fact]
    public void Keyframe_requests_from_every_subscriber_reach_the_publisher_as_one_per_500_ms()
    {
        var harness = new SfuHarness();
        var alice = harness.Join("alice", PublishSpec.AudioAndSimulcast);
        var subscribers = Enumerable.Range(0, 4).Select(i => harness.Join($"s{i}")).ToList();
        harness.Run(TimeSpan.FromMilliseconds(200));
        foreach (var subscriber in subscribers) subscriber.SubscribeToAll();
        harness.Run(TimeSpan.FromSeconds(2));
        OutgoingStream top = alice.VideoStreams[2];
        int before = top.KeyframeRequestsAt.Count;
        long from = harness.NowMillis;

        // Every subscriber asks every 20 ms for 3 s (a decoder in trouble, or a hostile client).
        for (int step = 0; step < 150; step++)
        {
            foreach (var subscriber in subscribers) subscriber.SendPictureLossIndication(subscriber.Incoming(alice.CameraTrackId));
            harness.Run(TimeSpan.FromMilliseconds(20));
        }

        var requests = top.KeyframeRequestsAt.Skip(before).ToList();
        // The first goes out at once; those made meanwhile are merged and sent by the timer once 500 ms have passed.
        Assert.InRange(requests[0] - from, 0, 100);
        Assert.All(Gaps(requests), gap => Assert.InRange(gap, 500, 500 + 100));
        Assert.InRange(requests.Count, 3000 / 600, 3000 / 500 + 1);
        Assert.All(subscribers, s => Assert.True(s.Incoming(alice.CameraTrackId).FramesDecoded > 100, s.Describe()));
    }

    [Fact]
    public void A_layer_switch_asks_again_every_500_ms_until_its_keyframe_comes()
    {
        var harness = new SfuHarness();
        var alice = harness.Join("alice", PublishSpec.AudioAndSimulcast);
        var bob = harness.Join("bob");
        harness.Run(TimeSpan.FromMilliseconds(200));
        bob.SubscribeToAll();
        var carol = harness.Join("carol"); // keeps the lower layer wanted, so the publisher does not pause it
        carol.SubscribeToAll();
        carol.Render(alice.CameraTrackId, 640, 360);
        harness.Run(TimeSpan.FromSeconds(3));
        Assert.Equal(2, bob.Incoming(alice.CameraTrackId).Layer);

        alice.IgnoresKeyframeRequests = true; // an encoder slow to answer
        int before = alice.VideoStreams[1].KeyframeRequestsAt.Count;
        bob.Render(alice.CameraTrackId, 640, 360);
        harness.Run(TimeSpan.FromSeconds(3));
        var requests = alice.VideoStreams[1].KeyframeRequestsAt.Skip(before).ToList();
        Assert.Equal(2, bob.Incoming(alice.CameraTrackId).Layer); // the switch waits for the keyframe; the old layer runs on
        Assert.All(Gaps(requests), gap => Assert.InRange(gap, 500, 500 + 250));
        Assert.InRange(requests.Count, 3000 / 750, 3000 / 500 + 1);

        alice.IgnoresKeyframeRequests = false;
        harness.RunUntil(() => bob.Incoming(alice.CameraTrackId).Layer == 1, TimeSpan.FromSeconds(1), "the switch to layer 1");
        Assert.Equal(0, bob.Incoming(alice.CameraTrackId).PictureIdJumps);
        Assert.True(bob.Incoming(alice.CameraTrackId).LongestFreezeMillis < 100, bob.Describe());
    }
}
