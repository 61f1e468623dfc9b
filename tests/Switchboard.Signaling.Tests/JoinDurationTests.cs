namespace Switchboard.Signaling.Tests;

/// <summary>The join time histogram (switchboard.signaling.join.duration): one sample per joined answer, none for a refused join.</summary>
public sealed class JoinDurationTests
{
    [Fact]
    public async Task Each_join_answered_joined_records_its_duration_and_a_refused_join_records_none()
    {
        await using var host = await SignalingHost.StartAsync(("MaxParticipantsPerRoom", "2"));
        var durations = new List<double>();
        using (host.Record("switchboard.signaling.join.duration", durations))
        {
            await using var first = await host.JoinAsync("r");
            await using var second = await host.JoinAsync("r");
            await using var third = await host.ConnectAsync();
            await third.SendAsync(new { type = "join", room = "r" });
            await third.ExpectErrorAsync("room-full");
        }
        Assert.Equal(2, durations.Count);
        Assert.All(durations, seconds => Assert.True(seconds > 0, $"{seconds} s"));
    }
}
