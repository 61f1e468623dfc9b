using Switchboard.Media.Sfu.Selection;

namespace Switchboard.Media.Tests.Sfu;

/// <summary>Active speakers from RFC 6464 audio levels (0 loudest, 127 silence), one packet per 20 ms per participant.</summary>
public class ActiveSpeakerDetectorTests
{
    private const byte Silence = 127;

    /// <summary>Records every participant's packet each 20 ms from <paramref name="from"/> up to <paramref name="to"/>, with its level at that time.</summary>
    private static void Play(ActiveSpeakerDetector detector, long from, long to, params (string Id, Func<long, byte> Level)[] participants)
    {
        for (long now = from; now < to; now += 20)
            foreach (var (id, level) in participants) detector.Record(id, level(now), now);
    }

    private static string[] Ids(IReadOnlyList<SpeakerLevel> speakers) => [.. speakers.Select(speaker => speaker.ParticipantId)];

    [Fact]
    public void Two_speakers_taking_turns()
    {
        var detector = new ActiveSpeakerDetector();
        Play(detector, 0, 2_000, ("alice", _ => 30), ("bob", _ => Silence));
        Assert.True(detector.TryUpdate(2_000, 3, out var speakers));
        Assert.Equal(["alice"], Ids(speakers));
        Assert.InRange(speakers[0].Level, 0.49, 0.51); // (60 - 30) / 60 on every packet

        Play(detector, 2_000, 4_000, ("alice", _ => Silence), ("bob", _ => 20));
        Assert.True(detector.TryUpdate(4_000, 3, out speakers));
        Assert.Equal(["bob"], Ids(speakers));
    }

    [Fact]
    public void Both_speaking_and_then_the_dominant_speaker_changes()
    {
        var detector = new ActiveSpeakerDetector();
        Play(detector, 0, 1_000, ("alice", _ => 40), ("bob", _ => 20));
        Assert.True(detector.TryUpdate(1_000, 3, out var speakers));
        Assert.Equal(["bob", "alice"], Ids(speakers));
        Assert.True(speakers[0].Level > speakers[1].Level);

        Play(detector, 1_000, 1_500, ("alice", _ => 40), ("bob", _ => 20));
        Assert.False(detector.TryUpdate(1_500, 3, out speakers)); // same speakers, same order
        Assert.Equal(["bob", "alice"], Ids(speakers));

        Play(detector, 1_500, 3_000, ("alice", _ => 10), ("bob", _ => 45));
        Assert.True(detector.TryUpdate(3_000, 3, out speakers));
        Assert.Equal(["alice", "bob"], Ids(speakers));
        Assert.True(detector.TryUpdate(3_000, 1, out speakers)); // only the loudest
        Assert.Equal(["alice"], Ids(speakers));
    }

    [Theory]
    [InlineData(500)] // Chromium's fake microphone: a 20 ms beep every 500 ms, digital silence between
    [InlineData(1000)]
    public void A_short_beep_every_so_often_counts_as_speaking(int beepEveryMillis)
    {
        var detector = new ActiveSpeakerDetector();
        Play(detector, 0, 1_000, ("beeper", now => now % beepEveryMillis == 0 ? (byte)15 : Silence), ("mute", _ => Silence));
        for (long now = 1_000; now < 10_000; now += 20)
        {
            detector.Record("beeper", now % beepEveryMillis == 0 ? (byte)15 : Silence, now);
            detector.Record("mute", Silence, now);
            detector.TryUpdate(now, 3, out var speakers);
            Assert.Equal(["beeper"], Ids(speakers));
        }
    }

    [Fact]
    public void Noise_under_the_threshold_is_not_speech()
    {
        var detector = new ActiveSpeakerDetector();
        Play(detector, 0, 5_000, ("room", now => (byte)(61 + now / 20 % 20))); // -61 to -80 dBov
        Assert.False(detector.TryUpdate(5_000, 3, out var speakers));
        Assert.Empty(speakers);
    }

    [Fact]
    public void A_single_click_counts_for_at_most_a_window_and_ranks_below_a_speaker()
    {
        var detector = new ActiveSpeakerDetector();
        Play(detector, 0, 2_500, ("alice", _ => 40), ("room", now => now == 2_000 ? (byte)10 : (byte)70));
        Assert.True(detector.TryUpdate(2_500, 3, out var speakers));
        Assert.Equal(["alice", "room"], Ids(speakers)); // the click and its hangover are 10 of the window's packets
        Assert.True(speakers[1].Level < speakers[0].Level / 10);

        Play(detector, 2_500, 3_100, ("alice", _ => 40), ("room", _ => 70));
        Assert.True(detector.TryUpdate(3_100, 3, out speakers)); // the click has left the window
        Assert.Equal(["alice"], Ids(speakers));
    }

    [Fact]
    public void A_participant_who_stops_sending_drops_out_after_the_window()
    {
        var detector = new ActiveSpeakerDetector();
        Play(detector, 0, 1_000, ("alice", _ => 30), ("bob", _ => 30));
        Assert.True(detector.TryUpdate(1_000, 3, out var speakers));
        Assert.Equal(["alice", "bob"], Ids(speakers)); // equally loud: by id

        Play(detector, 1_000, 2_100, ("bob", _ => 30)); // alice's packets stop
        Assert.True(detector.TryUpdate(2_100, 3, out speakers));
        Assert.Equal(["bob"], Ids(speakers));
    }

    [Fact]
    public void A_removed_participant_leaves_the_list()
    {
        var detector = new ActiveSpeakerDetector();
        Play(detector, 0, 1_000, ("alice", _ => 30), ("bob", _ => 35));
        Assert.True(detector.TryUpdate(1_000, 3, out _));
        detector.Remove("alice");
        Assert.True(detector.TryUpdate(1_000, 3, out var speakers));
        Assert.Equal(["bob"], Ids(speakers));
        detector.Remove("nobody");
        Assert.False(detector.TryUpdate(1_000, 3, out _));
    }

    [Fact]
    public void Nobody_speaking_is_no_change_until_somebody_does()
    {
        var detector = new ActiveSpeakerDetector();
        Assert.False(detector.TryUpdate(0, 3, out var speakers));
        Assert.Empty(speakers);
        Play(detector, 0, 1_000, ("alice", _ => Silence));
        Assert.False(detector.TryUpdate(1_000, 3, out _));
        Play(detector, 1_000, 1_200, ("alice", _ => 30));
        Assert.True(detector.TryUpdate(1_200, 3, out speakers));
        Assert.Equal(["alice"], Ids(speakers));
    }

    [Fact]
    public void Recording_allocates_nothing_after_a_participant_s_first_packet()
    {
        var detector = new ActiveSpeakerDetector();
        string[] ids = ["a", "b", "c"];
        foreach (string id in ids) detector.Record(id, 30, 0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i < 10_000; i++)
            foreach (string id in ids) detector.Record(id, (byte)(i % 128), i * 20L);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
