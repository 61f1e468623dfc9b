namespace Switchboard.Signaling.Tests;

/// <summary>
/// What the server keeps for resumes is bounded in bytes, per participant and for the whole server, and a client that
/// falls further behind than its resume buffer reaches is dropped rather than queued for without end.
/// </summary>
public sealed class ResumeBufferTests
{
    private const string KeptBytes = "switchboard.signaling.resume_buffers.size";

    [Fact]
    public async Task Resume_after_more_bytes_than_the_buffer_keeps_is_resume_failed_naming_the_limit()
    {
        await using var host = await SignalingHost.StartAsync(("MaxMessageBytes", "8192"), ("ResumeBufferBytes", "16384"));
        await using var alice = await host.JoinAsync("bytes");
        await using var bob = await host.JoinAsync("bytes");
        long lastSeq = (await alice.ExpectAsync("participant-joined")).GetProperty("seq").GetInt64();
        var resumeToken = alice.Joined.GetProperty("resumeToken").GetString();
        alice.Abort();
        for (int i = 0; i < 10; i++) await bob.SendAsync(new { type = "message", to = alice.Id, data = new string('x', 4000) });
        await bob.SendAsync(new { type = "ping" });
        await bob.ExpectAsync("pong");

        await using var again = await host.ConnectAsync();
        await again.SendAsync(new { type = "resume", resumeToken, lastSeq });
        var error = await again.ExpectErrorAsync("resume-failed");
        Assert.Contains("Signaling:ResumeBufferBytes", error.GetProperty("message").GetString());
        Assert.InRange(host.Observe(KeptBytes), 1, 16384);
    }

    [Fact]
    public async Task The_servers_resume_bytes_are_bounded_and_the_participant_that_goes_over_loses_its_own_oldest()
    {
        await using var host = await SignalingHost.StartAsync(("MaxMessageBytes", "8192"), ("ResumeBufferBytes", "65536"), ("ResumeBufferTotalBytes", "65536"));
        await using var alice = await host.JoinAsync("budget");
        await using var carol = await host.JoinAsync("budget");
        await using var bob = await host.JoinAsync("budget");
        long aliceSeq = (await alice.ExpectAsync("participant-joined")).GetProperty("seq").GetInt64(); // Carol
        aliceSeq = (await alice.ExpectAsync("participant-joined")).GetProperty("seq").GetInt64(); // Bob
        long carolSeq = (await carol.ExpectAsync("participant-joined")).GetProperty("seq").GetInt64();
        var (aliceToken, carolToken) = (alice.Joined.GetProperty("resumeToken").GetString(), carol.Joined.GetProperty("resumeToken").GetString());
        alice.Abort();
        carol.Abort();

        // 40 KB for Alice, then 40 KB for Carol: past the server's 64 KiB, Carol's buffer lets its own oldest go.
        for (int i = 0; i < 10; i++) await bob.SendAsync(new { type = "message", to = alice.Id, data = $"{i}:{new string('a', 4000)}" });
        for (int i = 0; i < 10; i++) await bob.SendAsync(new { type = "message", to = carol.Id, data = $"{i}:{new string('c', 4000)}" });
        await bob.SendAsync(new { type = "ping" });
        await bob.ExpectAsync("pong");

        await using var carolAgain = await host.ConnectAsync();
        await carolAgain.SendAsync(new { type = "resume", resumeToken = carolToken, lastSeq = carolSeq });
        var error = await carolAgain.ExpectErrorAsync("resume-failed");
        Assert.Contains("Signaling:ResumeBufferTotalBytes", error.GetProperty("message").GetString());
        Assert.InRange(host.Observe(KeptBytes), 40_000, 65536);

        // Alice, who was within the budget when her messages came, gets all of them.
        await using var aliceAgain = await host.ConnectAsync();
        await aliceAgain.SendAsync(new { type = "resume", resumeToken = aliceToken, lastSeq = aliceSeq });
        await aliceAgain.ExpectAsync("resumed");
        for (int i = 0; i < 10; i++)
        {
            var message = await aliceAgain.ExpectAsync("message");
            Assert.Equal(aliceSeq + 1 + i, message.GetProperty("seq").GetInt64());
            Assert.StartsWith($"{i}:", message.GetProperty("data").GetString());
        }
    }

    [Fact]
    public async Task A_participant_who_stops_reading_is_dropped_once_it_falls_behind_its_resume_buffer_and_the_others_keep_receiving()
    {
        await using var host = await SignalingHost.StartAsync(("MaxMessageBytes", "8192"), ("ResumeBufferBytes", "65536"),
            ("MessagesPerSecond", "100000"), ("MessageBurst", "100000"));
        await using var sleeper = await host.JoinAsync("slow");
        await using var bob = await host.JoinAsync("slow");
        await using var carol = await host.JoinAsync("slow");
        var resumeToken = sleeper.Joined.GetProperty("resumeToken").GetString();

        // 8 MB for the sleeper, who reads nothing, and a broadcast now and then that Carol reads.
        const int Messages = 1000;
        for (int i = 0; i < Messages; i++)
        {
            await bob.SendAsync(new { type = "message", to = sleeper.Id, data = new string('z', 8000) });
            if (i % 100 == 0) await bob.SendAsync(new { type = "message", data = i });
        }
        for (int i = 0; i < Messages; i += 100) Assert.Equal(i, (await carol.ExpectAsync("message")).GetProperty("data").GetInt32());

        await WaitUntilAsync(async () => !(await host.Rooms.ListParticipantsAsync("slow"))!.Single(p => p.Id == sleeper.Id).Connected,
            "the server to drop the participant who reads nothing");
        Assert.InRange(host.Observe(KeptBytes), 1, 65536 + 2 * 1024);

        // What it missed is more than its buffer kept: the resume fails and says why.
        await using var again = await host.ConnectAsync();
        await again.SendAsync(new { type = "resume", resumeToken, lastSeq = 2 });
        var error = await again.ExpectErrorAsync("resume-failed");
        Assert.Contains("Signaling:ResumeBufferBytes", error.GetProperty("message").GetString());

        // Bob and Carol still talk.
        await carol.SendAsync(new { type = "message", to = bob.Id, data = "still here" });
        Assert.Equal("still here", (await bob.ExpectAsync("message")).GetProperty("data").GetString());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (timeout.IsCancellationRequested) throw new Xunit.Sdk.XunitException($"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
