using Switchboard.Media.Contracts;
using Switchboard.Media.Tests.Sfu.Simulation;

namespace Switchboard.Media.Tests.Sfu;

/// <summary>
/// The room-wide work in simulated time: active speakers (updated every 300 ms; a new loudest announced once it has
/// held for two updates; a silent participant gone once the 1 s window has passed) and the per-participant bit rate
/// limit (held back after 5 s at more than twice the limit); the end of a participant's connection, reported.
/// </summary>
public sealed class SfuRoomSimulationTests
{
    [Fact]
    public void A_connection_that_ends_by_itself_is_reported_but_one_replaced_or_left_is_not()
    {
        var harness = new SfuHarness();
        var ended = new List<ConnectionEnd>();
        harness.Sfu.ConnectionEnded += ended.Add;
        var alice = harness.Join("alice", PublishSpec.AudioOnly);
        var bob = harness.Join("bob", PublishSpec.AudioOnly);
        harness.Run(TimeSpan.FromMilliseconds(500));

        alice.Reconnect(); // the old connection is closed as replaced
        harness.Leave(bob); // its connection is closed as it leaves
        harness.Run(TimeSpan.FromMilliseconds(500));
        Assert.Empty(ended);

        alice.Connection!.Close("ICE consent expired");
        Assert.Equal([new ConnectionEnd(SfuHarness.Room, "alice", "ICE consent expired")], ended);
        Assert.Contains(harness.Sfu.Tracks(SfuHarness.Room), t => t.ParticipantId == "alice"); // its tracks stay until it leaves
    }

    [Fact]
    public void Speakers_are_announced_and_a_new_loudest_only_once_it_has_held_for_two_updates()
    {
        var harness = new SfuHarness();
        var alice = harness.Join("alice", PublishSpec.AudioOnly);
        var bob = harness.Join("bob", PublishSpec.AudioOnly);
        harness.Run(TimeSpan.FromSeconds(1));
        Assert.Empty(harness.SpeakerChanges); // silence is no news

        alice.AudioLevel = 40;
        long aliceSpoke = harness.NowMillis;
        harness.Run(TimeSpan.FromSeconds(2));
        bob.AudioLevel = 10; // louder
        long bobSpoke = harness.NowMillis;
        harness.Run(TimeSpan.FromSeconds(2));
        alice.AudioLevel = 127;
        long aliceStopped = harness.NowMillis;
        harness.Run(TimeSpan.FromSeconds(2));

        var changes = harness.SpeakerChanges.Select(c => (c.AtMillis, Speakers: string.Join(",", c.Speakers))).ToList();
        Assert.Equal(["alice", "alice,bob", "bob,alice", "bob"], changes.Select(c => c.Speakers));
        Assert.InRange(changes[0].AtMillis - aliceSpoke, 1, 300 + 100);
        Assert.InRange(changes[1].AtMillis - bobSpoke, 1, 2 * 300 + 100);
        Assert.Equal(300, changes[2].AtMillis - changes[1].AtMillis); // loudest at two updates in a row
        Assert.InRange(changes[3].AtMillis - aliceStopped, 1000, 1000 + 300 + 100);
    }

    [Fact]
    public void A_muted_microphone_leaves_the_speakers_at_once()
    {
        var harness = new SfuHarness();
        var alice = harness.Join("alice", PublishSpec.AudioOnly);
        alice.AudioLevel = 30;
        harness.Run(TimeSpan.FromSeconds(1));
        Assert.Equal(["alice"], harness.SpeakerChanges.Last().Speakers);
        Assert.True(harness.Sfu.SetMuted(SfuHarness.Room, "alice", TrackSource.Microphone, true));
        long mutedAt = harness.NowMillis;
        harness.Run(TimeSpan.FromSeconds(1));
        Assert.Empty(harness.SpeakerChanges.Last().Speakers);
        Assert.InRange(harness.SpeakerChanges.Last().AtMillis - mutedAt, 1, 300 + 100);
    }

    [Fact]
    public void A_publisher_far_over_its_bit_rate_limit_for_5_s_has_its_video_held_back_and_is_told()
    {
        // 1.8 Mbit/s of simulcast against a limit of 500 kbit/s: more than twice it.
        var harness = new SfuHarness(configure: sfu => sfu.MaxBitratePerParticipant = 500_000);
        var alice = harness.Join("alice", PublishSpec.AudioAndSimulcast);
        var bob = harness.Join("bob");
        harness.Run(TimeSpan.FromMilliseconds(200));
        bob.SubscribeToAll();
        bob.Render(alice.CameraTrackId, 1280, 720);
        harness.RunUntil(() => harness.Warnings.Count > 0, TimeSpan.FromSeconds(10), "a warning");
        long warnedAt = harness.NowMillis;
        long overFrom = bob.Incoming(alice.CameraTrackId).FirstFrameAt; // from when every layer was sent

        MediaWarning warning = harness.Warnings.Single();
        Assert.Equal(("alice", MediaWarningKind.BitrateLimit), (warning.ParticipantId, warning.Kind));
        Assert.Contains("Media:Sfu:MaxBitratePerParticipant", warning.Message);
        Assert.InRange(warnedAt - overFrom, 5000 - 1000, 5000 + 500 + 100); // ten checks in a row, 500 ms apart (the rate is over 1 s)

        harness.Run(TimeSpan.FromMilliseconds(100)); // what was on its way
        long frames = bob.Incoming(alice.CameraTrackId).FramesDecoded;
        long audio = bob.Incoming(alice.MicrophoneTrackId).FramesDecoded;
        harness.Run(TimeSpan.FromSeconds(2));
        Assert.Equal(frames, bob.Incoming(alice.CameraTrackId).FramesDecoded); // video held back
        Assert.True(bob.Incoming(alice.MicrophoneTrackId).FramesDecoded > audio + 90); // audio goes on
    }
}
