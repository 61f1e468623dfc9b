namespace Switchboard.Signaling.Tests;

/// <summary>Resume within the window, resume after it, and keepalive.</summary>
public sealed class ResumeTests
{
    [Fact]
    public async Task Resume_within_the_window_keeps_the_id_and_delivers_missed_messages_in_order()
    {
        await using var host = await SignalingHost.StartAsync(("ResumeWindowSeconds", "20"));
        await using var alice = await host.JoinAsync("resume");
        await using var bob = await host.JoinAsync("resume");
        var joined = await alice.ExpectAsync("participant-joined");
        long lastSeq = joined.GetProperty("seq").GetInt64();
        var resumeToken = alice.Joined.GetProperty("resumeToken").GetString();
        alice.Abort();

        for (int i = 1; i <= 5; i++) await bob.SendAsync(new { type = "message", to = alice.Id, data = i });
        await bob.SendAsync(new { type = "ping" });
        await bob.ExpectAsync("pong"); // the messages above have been handled

        await using var again = await host.ConnectAsync();
        await again.SendAsync(new { type = "resume", resumeToken, lastSeq });
        var resumed = await again.ExpectAsync("resumed");
        Assert.Equal(alice.Id, resumed.GetProperty("participant").GetProperty("id").GetString());
        Assert.NotEqual(resumeToken, resumed.GetProperty("resumeToken").GetString());
        Assert.Equal(bob.Id, resumed.GetProperty("participants")[0].GetProperty("id").GetString());
        for (int i = 1; i <= 5; i++)
        {
            var message = await again.ExpectAsync("message");
            Assert.Equal(i, message.GetProperty("data").GetInt32());
            Assert.Equal(lastSeq + i, message.GetProperty("seq").GetInt64());
        }

        // Live traffic continues; Bob never saw Alice leave.
        await bob.SendAsync(new { type = "message", to = alice.Id, data = "live" });
        Assert.Equal("live", (await again.ExpectAsync("message")).GetProperty("data").GetString());
        await again.SendAsync(new { type = "message", to = bob.Id, data = "back" });
        Assert.Equal("back", (await bob.ExpectAsync("message")).GetProperty("data").GetString());

        // The old token was used up.
        await using var thief = await host.ConnectAsync();
        await thief.SendAsync(new { type = "resume", resumeToken, lastSeq = 0 });
        await thief.ExpectErrorAsync("resume-failed");
    }

    [Fact]
    public async Task After_the_window_the_others_see_a_timeout_and_resume_fails()
    {
        await using var host = await SignalingHost.StartAsync(("ResumeWindowSeconds", "1"), ("PingIntervalSeconds", "1"));
        await using var alice = await host.JoinAsync("late");
        await using var bob = await host.JoinAsync("late");
        var resumeToken = bob.Joined.GetProperty("resumeToken").GetString();
        bob.Abort();
        var left = await alice.ExpectAsync("participant-left");
        Assert.Equal("timeout", left.GetProperty("reason").GetString());

        await using var again = await host.ConnectAsync();
        await again.SendAsync(new { type = "resume", resumeToken, lastSeq = 0 });
        await again.ExpectErrorAsync("resume-failed");
    }

    [Fact]
    public async Task Resume_asking_for_more_than_the_buffer_keeps_is_resume_failed()
    {
        await using var host = await SignalingHost.StartAsync(("ResumeBufferMessages", "4"));
        await using var alice = await host.JoinAsync("buffer");
        await using var bob = await host.JoinAsync("buffer");
        var resumeToken = alice.Joined.GetProperty("resumeToken").GetString();
        alice.Abort();
        for (int i = 0; i < 10; i++) await bob.SendAsync(new { type = "message", to = alice.Id, data = i });
        await bob.SendAsync(new { type = "ping" });
        await bob.ExpectAsync("pong");

        await using var again = await host.ConnectAsync();
        await again.SendAsync(new { type = "resume", resumeToken, lastSeq = 0 });
        await again.ExpectErrorAsync("resume-failed");
    }

    [Fact]
    public async Task The_server_pings_and_drops_a_connection_that_stays_silent()
    {
        await using var host = await SignalingHost.StartAsync(("PingIntervalSeconds", "1"), ("ResumeWindowSeconds", "1"));
        await using var alice = await host.JoinAsync("quiet");
        await using var silent = await TestClient.ConnectAsync(host.Endpoint);
        await silent.SendAsync(new { type = "join", room = "quiet" });
        // The test client answers pings while it reads; this one reads nothing, so it never answers.
        var left = await alice.ExpectAsync("participant-left");
        Assert.Equal("timeout", left.GetProperty("reason").GetString());
        // Alice, who answers, is still there.
        await alice.SendAsync(new { type = "ping" });
        await alice.ExpectAsync("pong");
    }
}
