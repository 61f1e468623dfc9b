using Switchboard.Media.Contracts;
using Switchboard.Media.Sfu;
using Switchboard.Media.Tests.Sfu.Simulation;

namespace Switchboard.Media.Tests.Sfu;

/// <summary>
/// The SFU's forwarding in simulated time (<see cref="SfuHarness"/>): what subscribers receive and decode through loss,
/// mutes and reconnects, each stream one continuous stream in the subscriber's own numbering.
/// </summary>
public sealed class SfuForwardingSimulationTests
{
    private static (SfuHarness Harness, SimulatedParticipant Alice, SimulatedParticipant Bob) Call(PublishSpec? publish = null)
    {
        var harness = new SfuHarness();
        var alice = harness.Join("alice", publish ?? PublishSpec.AudioAndSimulcast);
        var bob = harness.Join("bob");
        harness.Run(TimeSpan.FromMilliseconds(200));
        bob.SubscribeToAll();
        return (harness, alice, bob);
    }

    private static void AssertContinuous(IncomingStream stream, SimulatedParticipant receiver)
    {
        Assert.True(stream.TimestampRegressions == 0 && stream.PictureIdJumps == 0, receiver.Describe());
    }

    [Fact]
    public void A_subscriber_decodes_the_top_layer_from_a_keyframe_on_in_one_continuous_stream()
    {
        var (harness, alice, bob) = Call();
        long subscribedAt = harness.NowMillis;
        harness.Run(TimeSpan.FromSeconds(5));

        IncomingStream video = bob.Incoming(alice.CameraTrackId);
        IncomingStream audio = bob.Incoming(alice.MicrophoneTrackId);
        // The subscriber's first layer selection asks for a keyframe of the top layer, which its publisher has paused
        // while nobody received it; the room's next layer demand resumes it, with a keyframe: the first frame.
        Assert.Single(alice.VideoStreams[2].KeyframeRequestsAt);
        Assert.InRange(video.FirstFrameAt - subscribedAt, 0, SfuRoom.LayerDemandIntervalMillis + SfuHarness.HostTimerMillis + bob.RoundTripMillis + alice.RoundTripMillis);
        Assert.Equal(1, video.KeyframesDecoded);
        Assert.True(video.FramesDecoded >= 5 * 30 - 20, bob.Describe());
        Assert.Equal(2, video.Layer);
        Assert.True(audio.FramesDecoded >= 5 * 50 - 5, bob.Describe());
        Assert.Equal(0, video.GapsSkipped);
        AssertContinuous(video, bob);
        AssertContinuous(audio, bob);
    }

    [Fact]
    public void A_subscriber_that_loses_5_percent_gets_every_frame_through_nacks_answered_with_rtx()
    {
        var (harness, alice, bob) = Call();
        bob.Downlink.Loss = 0.05;
        harness.Run(TimeSpan.FromSeconds(20));

        IncomingStream video = bob.Incoming(alice.CameraTrackId);
        Assert.True(bob.NacksSent > 0 && video.RtxPackets > 0, bob.Describe());
        Assert.True(video.GapsSkipped == 0 && video.LongestFreezeMillis < 250, bob.Describe());
        Assert.True(video.FramesDecoded >= 20 * 30 - 30, bob.Describe());
        AssertContinuous(video, bob);
    }

    [Fact]
    public void What_the_sfu_loses_from_a_publisher_it_nacks_and_forwards_once_repaired()
    {
        var (harness, alice, bob) = Call();
        alice.Uplink.Loss = 0.05;
        harness.Run(TimeSpan.FromSeconds(20));

        IncomingStream video = bob.Incoming(alice.CameraTrackId);
        Assert.True(alice.NacksReceived > 0 && alice.VideoStreams.Sum(v => v.Retransmitted) > 0, alice.Describe());
        // Its round trip to a publisher that receives nothing is unknown, so it asks again every 20 ms, and now and then
        // gives a packet up before the retransmission could come: the subscriber then waits for a keyframe.
        Assert.True(video.GapsSkipped <= 2 && video.FramesDecoded >= 20 * 30 * 0.95, bob.Describe());
        AssertContinuous(video, bob);
    }

    [Fact]
    public void A_muted_track_is_not_forwarded_and_after_unmuting_its_numbering_runs_on()
    {
        var (harness, alice, bob) = Call();
        harness.Run(TimeSpan.FromSeconds(2));
        IncomingStream video = bob.Incoming(alice.CameraTrackId);
        Assert.True(harness.Sfu.SetMuted(SfuHarness.Room, alice.Id, TrackSource.Camera, true));
        harness.Run(TimeSpan.FromMilliseconds(100));
        long frames = video.FramesDecoded;
        harness.Run(TimeSpan.FromSeconds(2));
        Assert.Equal(frames, video.FramesDecoded);

        Assert.True(harness.Sfu.SetMuted(SfuHarness.Room, alice.Id, TrackSource.Camera, false));
        _ = harness.NowMillis;
        harness.Run(TimeSpan.FromSeconds(2));
        // It resumes at the keyframe the subscriber's layer selection asks for, in the same stream, without a gap.
        Assert.True(video.FramesDecoded > frames + 30, bob.Describe());
        Assert.Equal(2, video.KeyframesDecoded);
        Assert.Equal(0, video.GapsSkipped);
        AssertContinuous(video, bob);
    }

    [Fact]
    public void A_publisher_that_reconnects_keeps_its_subscribers_streams_continuous()
    {
        var (harness, alice, bob) = Call();
        harness.Run(TimeSpan.FromSeconds(3));
        IncomingStream video = bob.Incoming(alice.CameraTrackId);
        IncomingStream audio = bob.Incoming(alice.MicrophoneTrackId);
        alice.Reconnect(); // new SSRCs, sequence numbers, timestamps and picture ids
        harness.Run(TimeSpan.FromSeconds(3));

        Assert.Equal(2, alice.ConnectionCount);
        Assert.Same(video, bob.Incoming(alice.CameraTrackId)); // the subscriber's stream is the same: same SSRC
        Assert.True(video.LongestFreezeMillis < 1000, bob.Describe());
        Assert.True(video.FramesDecoded >= 6 * 30 - 45, bob.Describe());
        Assert.Equal(0, video.GapsSkipped);
        AssertContinuous(video, bob);
        AssertContinuous(audio, bob);
    }

    [Fact]
    public void A_subscriber_that_reconnects_starts_its_streams_again_from_a_keyframe()
    {
        var (harness, alice, bob) = Call();
        harness.Run(TimeSpan.FromSeconds(2));
        bob.Reconnect();
        harness.Run(TimeSpan.FromSeconds(2));

        Assert.Equal(2, bob.ConnectionCount);
        IncomingStream video = bob.Incoming(alice.CameraTrackId);
        Assert.True(video.KeyframesDecoded == 1 && video.FramesDecoded > 40, bob.Describe());
        AssertContinuous(video, bob);
        Assert.Equal("replaced by a new connection", harness.Transport.Connections.Single(c => c.Client == bob && c.IsClosed).CloseReason);
    }
}
