using System.Text.Json;

namespace Switchboard.EndToEnd.Browser.App;

/// <summary>People call each other directly from the web app (p2p rooms, a mesh): every participant sees the others' video playing.</summary>
public sealed class CallTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task Two_participants_see_each_others_video()
    {
        await using var alice = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "two", "Alice");
        await using var bob = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "two", "Bob");

        var aliceSees = await alice.WaitForPlayingVideosAsync(1);
        var bobSees = await bob.WaitForPlayingVideosAsync(1);
        Assert.Equal("Bob", aliceSees.Single().Name);
        Assert.Equal("Alice", bobSees.Single().Name);
        // The fake camera is 640 wide; under CPU or bandwidth pressure Chromium sends it scaled down (320, 160).
        Assert.InRange(aliceSees.Single().Width, 160, 640);
        Assert.Equal("p2p", await alice.Page.EvaluateAsync<string>("window.switchboard.room.media"));
    }

    [Fact]
    public async Task Four_participants_each_see_three_videos()
    {
        var names = new[] { "Ann", "Ben", "Cat", "Dan" };
        var people = new List<Participant>();
        try
        {
            foreach (var name in names)
            {
                var person = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "four", name);
                people.Add(person);
                await person.WaitConnectedAsync();
            }
            foreach (var person in people)
            {
                var tiles = await person.WaitForPlayingVideosAsync(3);
                Assert.Equal(names.Where(n => n != person.Name).Order(), tiles.Select(t => t.Name).Order());
            }
        }
        finally
        {
            foreach (var person in people) await person.DisposeAsync();
        }
    }

    [Fact]
    public async Task With_relay_only_the_call_goes_through_switchboards_turn_with_the_join_answers_credentials()
    {
        await using var alice = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "relay", "Alice", "&relay=1");
        await using var bob = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "relay", "Bob", "&relay=1");
        await alice.WaitForPlayingVideosAsync(1);
        await bob.WaitForPlayingVideosAsync(1);

        var iceServers = await alice.Page.EvaluateAsync<JsonElement>("window.switchboard.room._iceServers");
        var turn = iceServers.EnumerateArray().Single(s => s.TryGetProperty("username", out _));
        Assert.Contains($"turn:127.0.0.1:{app.Server.Port}?transport=udp", turn.GetProperty("urls").EnumerateArray().Select(u => u.GetString()));

        foreach (var person in new[] { alice, bob })
        {
            var types = await person.Page.EvaluateAsync<string[]>("""
                async () => {
                  const out = [];
                  for (const p of window.switchboard.room.participants.values()) {
                    const stats = await p.pc.getStats();
                    let type = null;
                    stats.forEach(s => {
                      if (s.type === 'transport' && s.selectedCandidatePairId) {
                        const pair = stats.get(s.selectedCandidatePairId);
                        type = stats.get(pair.localCandidateId).candidateType;
                      }
                    });
                    out.push(type);
                  }
                  return out;
                }
                """);
            Assert.Equal(["relay"], types);
        }
    }

    [Fact]
    public async Task A_participant_whose_socket_drops_resumes_with_the_same_id_and_the_call_keeps_playing()
    {
        await using var alice = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "resume", "Alice");
        await using var bob = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "resume", "Bob");
        await alice.WaitForPlayingVideosAsync(1);
        await bob.WaitForPlayingVideosAsync(1);
        var aliceId = await alice.ParticipantIdAsync();

        await alice.Page.EvaluateAsync("window.switchboard.room.socket.close()");
        await alice.WaitUntilAsync("window.switchboard.events.some(e => e.type === 'connection-state' && e.detail.state === 'reconnecting')", "reconnecting");
        await alice.WaitConnectedAsync();
        // While Alice was away Bob changed his state: the message addressed to her arrives after the resume.
        await bob.Page.EvaluateAsync("window.switchboard.room.setState({ audio: true, video: true, note: 'hello again' })");
        await alice.WaitUntilAsync("window.switchboard.events.some(e => e.type === 'participant-updated' && e.detail.participant.state.note === 'hello again')", "Bob's update");

        Assert.Equal(aliceId, await alice.ParticipantIdAsync());
        await alice.WaitForPlayingVideosAsync(1);
        await bob.WaitForPlayingVideosAsync(1);
        var bobEvents = await bob.EventsAsync();
        Assert.DoesNotContain(bobEvents, e => e.GetProperty("type").GetString() == "participant-left");
        Assert.Equal(1, bobEvents.Count(e => e.GetProperty("type").GetString() == "participant-joined"));
    }

    [Fact]
    public async Task Chat_messages_and_mute_reach_the_other_side()
    {
        await using var alice = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "chat", "Alice");
        await using var bob = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "chat", "Bob");
        await alice.WaitConnectedAsync();
        await bob.WaitForPlayingVideosAsync(1);

        await alice.Page.FillAsync("#chat-input", "hello <b>Bob</b>");
        await alice.Page.PressAsync("#chat-input", "Enter");
        await bob.WaitUntilAsync("document.getElementById('chat-log').textContent.includes('Alicehello <b>Bob</b>')", "Alice's chat message");

        await alice.Page.ClickAsync("#mic");
        await bob.WaitUntilAsync("!document.querySelector('.tile:not(.local) .muted').hidden", "Alice's muted badge");
        Assert.Equal("Unmute", await alice.Page.TextContentAsync("#mic"));
    }
}
