using Switchboard.EndToEnd.Browser.App;

namespace Switchboard.EndToEnd.Browser.Sfu;

/// <summary>
/// The web app in an sfu room: every participant sends once to Switchboard's media server and receives the others
/// from it over one peer connection. Cameras are 320x180 at 15 fps (the fake device, scaled) to spare the two cores.
/// </summary>
public sealed class SfuCallTests(SfuAppFixture app, ITestOutputHelper output) : IClassFixture<SfuAppFixture>
{
    private static readonly string SmallCamera = RoomParticipant.SmallMedia(320, 180);

    [Fact]
    public async Task Five_participants_receive_each_other_and_see_leave_and_rejoin_mute_and_a_screen_share()
    {
        var names = new[] { "Ann", "Ben", "Cat", "Dan", "Eve" };
        var people = new List<Participant>();
        try
        {
            foreach (var name in names)
            {
                var person = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "five", name, initScript: SmallCamera);
                people.Add(person);
                await person.WaitConnectedAsync();
                Assert.Equal("sfu", await person.Page.EvaluateAsync<string>("window.switchboard.room.media"));
            }

            // Everyone decodes the four others' video and receives their audio, through the one peer connection.
            foreach (var person in people) await SfuExpectations.ExpectAllOthersAsync(person, people, output);
            var ids = new Dictionary<string, string>();
            foreach (var person in people) ids[person.Name] = await person.ParticipantIdAsync();

            // Eve leaves (the Leave button) and comes back: the others see her go, then her new self decoding.
            var (ann, ben, eve) = (people[0], people[1], people[4]);
            var oldEve = ids["Eve"];
            await eve.Page.ClickAsync("#leave");
            await eve.Page.WaitForURLAsync(new Uri(app.Server.HttpBase, "/").ToString());
            foreach (var person in people.Take(4))
            {
                await person.WaitUntilAsync($"!window.switchboard.room.participants.has('{oldEve}') && !document.querySelector('.tile[data-id=\"{oldEve}\"]')",
                    "Eve's tile to go");
                Assert.Contains(await person.EventsAsync(), e => e.GetProperty("type").GetString() == "participant-left" && e.GetProperty("id").GetString() == oldEve);
                await person.WaitForReceivedMediaAsync(3, 3);
            }
            await eve.ReopenAsync();
            await eve.WaitConnectedAsync();
            ids["Eve"] = await eve.ParticipantIdAsync();
            Assert.NotEqual(oldEve, ids["Eve"]);
            foreach (var person in people)
            {
                var received = await SfuExpectations.ExpectAllOthersAsync(person, people, output);
                if (person != eve) Assert.Contains(received, s => s.TrackId == $"{ids["Eve"]}/camera");
            }

            // Ann mutes her microphone: the others get the muted flag (tracks, badge) and her audio stops arriving.
            var annMic = $"{ids["Ann"]}/microphone";
            await ann.Page.ClickAsync("#mic");
            foreach (var person in people.Skip(1))
            {
                await person.WaitUntilAsync($"window.switchboard.room.tracks.get('{annMic}')?.muted === true", "Ann's muted flag");
                await person.WaitUntilAsync($"!document.querySelector('.tile[data-id=\"{ids["Ann"]}\"] .muted').hidden", "Ann's muted badge");
                Assert.Contains(await person.EventsAsync(), e => e.GetProperty("type").GetString() == "track-muted"
                    && e.GetProperty("id").GetString() == ids["Ann"] && e.GetProperty("detail").GetProperty("muted").GetBoolean());
            }
            foreach (var person in people.Skip(1))
            {
                // Packets already on their way may still land: wait until two readings a second apart agree, then hold.
                long previous = -1;
                var still = await person.WaitForAsync(async () =>
                {
                    var bytes = (await person.InboundAsync()).Single(s => s.TrackId == annMic).BytesReceived;
                    var settled = bytes == previous;
                    previous = bytes;
                    if (!settled) await Task.Delay(500);
                    return (bytes, settled);
                }, r => r.settled, "Ann's audio to stop arriving", r => $"{r.bytes} bytes");
                await Task.Delay(TimeSpan.FromSeconds(2));
                var after = (await person.InboundAsync()).Single(s => s.TrackId == annMic).BytesReceived;
                output.WriteLine($"{person.Name}: Ann's audio while muted {still.bytes} -> {after} bytes in 2 s");
                Assert.Equal(still.bytes, after);
            }
            await ann.Page.ClickAsync("#mic");
            foreach (var person in people.Skip(1))
            {
                await person.WaitUntilAsync($"window.switchboard.room.tracks.get('{annMic}')?.muted === false", "Ann's unmuted flag");
                var before = (await person.InboundAsync()).Single(s => s.TrackId == annMic).BytesReceived;
                await person.WaitForAsync(async () => (await person.InboundAsync()).Single(s => s.TrackId == annMic).BytesReceived,
                    bytes => bytes > before + 1000, "Ann's audio to arrive again");
                await person.WaitUntilAsync($"document.querySelector('.tile[data-id=\"{ids["Ann"]}\"] .muted').hidden", "Ann's badge to go");
            }

            // Ben shares his screen (the Share screen button: getDisplayMedia works in headless Chromium with
            // --use-fake-ui-for-media-stream, which picks the fake screen; the init script asks for 640x360 at 5 fps).
            var benScreen = $"{ids["Ben"]}/screen";
            await ben.Page.ClickAsync("#screen");
            await ben.WaitUntilAsync("document.getElementById('screen').getAttribute('aria-pressed') === 'true'", "the share to start");
            foreach (var person in people.Where(p => p != ben))
            {
                await person.WaitUntilAsync($$"""
                    (() => {
                      const tile = document.querySelector('.tile[data-id="{{benScreen}}"]');
                      return tile && tile.querySelector('video').videoWidth > 0 && tile.querySelector('video').getVideoPlaybackQuality().totalVideoFrames > 0;
                    })()
                    """, "Ben's screen tile to play");
                Assert.Equal("Ben (screen)", await person.Page.TextContentAsync($".tile[data-id=\"{benScreen}\"] .name"));
                var first = (await person.InboundAsync()).Single(s => s.TrackId == benScreen);
                var later = await person.WaitForAsync(async () => (await person.InboundAsync()).Single(s => s.TrackId == benScreen),
                    s => s.FramesDecoded > first.FramesDecoded, "Ben's screen to keep decoding");
                output.WriteLine($"{person.Name}: Ben's screen {later.FrameWidth}x{later.FrameHeight}, {later.FramesDecoded} frames");
            }
            await ben.Page.ClickAsync("#screen");
            foreach (var person in people.Where(p => p != ben))
            {
                await person.WaitUntilAsync($"!document.querySelector('.tile[data-id=\"{benScreen}\"]')", "Ben's screen tile to go");
                Assert.Contains(await person.EventsAsync(), e => e.GetProperty("type").GetString() == "track-ended"
                    && e.GetProperty("detail").GetProperty("source").GetString() == "screen");
            }
        }
        finally
        {
            foreach (var person in people) await person.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_tile_of_someone_speaking_gets_the_speaking_ring()
    {
        // Chromium's fake microphone beeps: the browsers' RFC 6464 audio levels make the server name speakers.
        await using var alice = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "speaking", "Alice", initScript: SmallCamera);
        await using var bob = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "speaking", "Bob", initScript: SmallCamera);
        await alice.WaitForReceivedMediaAsync(1, 1);
        var bobId = await bob.ParticipantIdAsync();

        await alice.WaitUntilAsync($"document.querySelector('.tile[data-id=\"{bobId}\"]').classList.contains('speaking')", "Bob's tile to get the speaking ring");
        var speakers = (await alice.EventsAsync()).Where(e => e.GetProperty("type").GetString() == "active-speakers").ToList();
        output.WriteLine($"{speakers.Count} active-speakers events; last: {speakers[^1].GetProperty("detail")}");
        Assert.Contains(speakers, e => e.GetProperty("detail").GetProperty("speakers").EnumerateArray().Any(s => s.GetProperty("id").GetString() == bobId));
        var ring = await alice.Page.EvaluateAsync<string>($"getComputedStyle(document.querySelector('.tile[data-id=\"{bobId}\"]'), '::after').borderTopStyle");
        Assert.Equal("solid", ring);
    }

    [Fact]
    public async Task A_participant_whose_socket_drops_resumes_on_the_same_peer_connection()
    {
        await using var alice = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "sfu-resume", "Alice", initScript: SmallCamera);
        await using var bob = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "sfu-resume", "Bob", initScript: SmallCamera);
        await alice.WaitForReceivedMediaAsync(1, 1);
        await bob.WaitForReceivedMediaAsync(1, 1);
        await alice.Page.EvaluateAsync("window.firstPeerConnection = window.switchboard.room.pc");

        // Alice mutes while her socket is down: the mute message cannot go, and the SDK says it again after the resume.
        await alice.Page.EvaluateAsync("window.switchboard.room.socket.close()");
        await alice.Page.ClickAsync("#mic");
        await alice.WaitUntilAsync("window.switchboard.events.some(e => e.type === 'connection-state' && e.detail.state === 'reconnecting')", "reconnecting");
        await alice.WaitConnectedAsync();
        var aliceMic = $"{await alice.ParticipantIdAsync()}/microphone";
        await bob.WaitUntilAsync($"window.switchboard.room.tracks.get('{aliceMic}')?.muted === true", "Alice's muted flag");

        Assert.True(await alice.Page.EvaluateAsync<bool>("window.switchboard.room.pc === window.firstPeerConnection"), "the peer connection was replaced");
        Assert.Equal("connected", await alice.Page.EvaluateAsync<string>("window.switchboard.room.pc.connectionState"));
        await alice.WaitForReceivedMediaAsync(1, 1);
        Assert.DoesNotContain(await bob.EventsAsync(), e => e.GetProperty("type").GetString() == "participant-left");
    }

    [Fact]
    public async Task A_participant_whose_session_is_lost_joins_again_on_a_new_peer_connection()
    {
        await using var alice = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "sfu-rejoin", "Alice", initScript: SmallCamera);
        await using var bob = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "sfu-rejoin", "Bob", initScript: SmallCamera);
        await alice.WaitForReceivedMediaAsync(1, 1);
        await bob.WaitForReceivedMediaAsync(1, 1);
        var before = await alice.ParticipantIdAsync();
        await alice.Page.EvaluateAsync("window.firstPeerConnection = window.switchboard.room.pc");

        // A resume token the server does not know stands for a session whose resume window has passed: resume-failed.
        await alice.Page.EvaluateAsync("window.switchboard.room._resumeToken = 'expired'; window.switchboard.room.socket.close()");
        await alice.WaitUntilAsync($"window.switchboard.room.localParticipant.id !== '{before}' && window.switchboard.room.connectionState === 'connected'", "a new join");
        Assert.Equal("closed", await alice.Page.EvaluateAsync<string>("window.firstPeerConnection.connectionState"));
        Assert.False(await alice.Page.EvaluateAsync<bool>("window.switchboard.room.pc === window.firstPeerConnection"));
        var after = await alice.ParticipantIdAsync();

        // Bob sees the old Alice go (when the server ends her session) and the new one arrive; both decode each other again.
        await bob.WaitUntilAsync($"window.switchboard.room.participants.has('{after}')", "the new Alice");
        await alice.WaitForReceivedMediaAsync(1, 1);
        await bob.WaitForAsync(bob.InboundAsync, s => s.Any(i => i.TrackId == $"{after}/camera" && i.FramesDecoded > 0), "the new Alice's video");
    }
}
