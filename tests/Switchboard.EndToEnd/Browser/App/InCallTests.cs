using Microsoft.Playwright;

namespace Switchboard.EndToEnd.Browser.App;

/// <summary>
/// The call in an sfu room (several fake cameras): switching the camera without leaving or renegotiating, the speaker view
/// following whoever speaks, a pinned tile, the People panel with raised hands and mute states, keyboard shortcuts,
/// announcements for screen readers, and the layout on a phone.
/// </summary>
public sealed class InCallTests(FakeCamerasAppFixture app) : IClassFixture<FakeCamerasAppFixture>
{
    private static readonly string SmallCamera = RoomParticipant.SmallMedia(320, 180);

    private static string TileOf(string id) => $".tile[data-id=\"{id}\"]";

    [Fact]
    public async Task Switching_the_camera_mid_call_keeps_the_other_decoding_without_renegotiation()
    {
        await using var alice = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "switch", "Alice", initScript: SmallCamera);
        await using var bob = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "switch", "Bob", initScript: SmallCamera);
        await bob.WaitForPlayingVideosAsync(1);
        await alice.WaitForPlayingVideosAsync(1);
        var offer = await alice.Page.EvaluateAsync<string>("window.switchboard.room.pc.localDescription.sdp");

        await alice.Page.Keyboard.PressAsync("d");
        Assert.True(await alice.Page.IsVisibleAsync("#devices-dialog #camera-select"));
        var cameras = await alice.Page.EvaluateAsync<string[]>("[...document.querySelectorAll('#camera-select option')].map(o => o.value)");
        Assert.Equal(3, cameras.Length);
        Assert.Equal(cameras[0], await alice.Page.InputValueAsync("#camera-select"));
        var other = cameras[FakeCamerasAppFixture.SendableSecondCamera];
        await alice.Page.SelectOptionAsync("#camera-select", other);
        var sent = "window.switchboard.room.pc.getSenders().find(s => s.track?.kind === 'video')?.track";
        await alice.WaitUntilAsync($"{sent}?.getSettings().deviceId === '{other}' && {sent}.readyState === 'live'", "the new camera to be sent");
        await alice.Page.ClickAsync("#devices-dialog button[type=submit]");

        // Bob keeps decoding Alice (WaitForPlayingVideosAsync checks the frames grow), and nothing was renegotiated.
        var frames = (await bob.RemoteTilesAsync()).Single().Frames;
        await bob.WaitUntilAsync($"document.querySelector('.tile:not(.local) video').getVideoPlaybackQuality().totalVideoFrames > {frames + 15}", "more frames of Alice");
        await bob.WaitForPlayingVideosAsync(1);
        Assert.Equal(offer, await alice.Page.EvaluateAsync<string>("window.switchboard.room.pc.localDescription.sdp"));
        Assert.Equal(other, await alice.Page.EvaluateAsync<string>("document.querySelector('.tile.local video').srcObject.getVideoTracks()[0].getSettings().deviceId"));
    }

    [Fact]
    public async Task Speaker_view_follows_the_active_speaker_a_pinned_tile_stays_large_and_a_tile_goes_full_screen()
    {
        var people = new List<Participant>();
        try
        {
            foreach (var name in new[] { "Ann", "Ben", "Cat" })
            {
                var person = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "speaker-view", name, initScript: SmallCamera);
                people.Add(person);
                await person.WaitConnectedAsync();
            }
            var (ann, ben, cat) = (people[0], people[1], people[2]);
            await ann.WaitForPlayingVideosAsync(2);
            var benId = await ben.ParticipantIdAsync();
            var catId = await cat.ParticipantIdAsync();

            // Only Ben's microphone is on (the fake microphones all beep): he is the active speaker.
            await ann.Page.Keyboard.PressAsync("m");
            await cat.Page.Keyboard.PressAsync("m");
            await ann.Page.ClickAsync("#layout");
            Assert.Equal("Grid view", await ann.Page.TextContentAsync("#layout"));
            await ann.WaitUntilAsync($"document.querySelector('{TileOf(benId)}').classList.contains('featured')", "Ben's tile large");
            await AssertLargeAsync(ann, benId, catId);

            // Cat speaks instead of Ben: her tile becomes the large one.
            await ben.Page.Keyboard.PressAsync("m");
            await cat.Page.Keyboard.PressAsync("m");
            await ann.WaitUntilAsync($"document.querySelector('{TileOf(catId)}').classList.contains('featured')", "Cat's tile large");
            await AssertLargeAsync(ann, catId, benId);

            // Ann pins Ben: he stays large while Cat speaks.
            await ann.Page.ClickAsync($"{TileOf(benId)} .pin");
            await ann.WaitUntilAsync($"document.querySelector('{TileOf(benId)}').classList.contains('featured')", "pinned Ben large");
            Assert.Equal("true", await ann.Page.GetAttributeAsync($"{TileOf(benId)} .pin", "aria-pressed"));
            await Task.Delay(TimeSpan.FromSeconds(2));
            await AssertLargeAsync(ann, benId, catId);

            // A tile goes full screen and back.
            await ann.Page.ClickAsync($"{TileOf(benId)} .fullscreen");
            await ann.WaitUntilAsync($"document.fullscreenElement?.dataset.id === '{benId}'", "Ben's tile full screen");
            // The button says so once the page has its fullscreenchange event, which comes after fullscreenElement is set.
            await ann.WaitUntilAsync($"document.querySelector('{TileOf(benId)} .fullscreen').textContent === 'Exit full screen'", "the button to offer to exit");
            await ann.Page.ClickAsync($"{TileOf(benId)} .fullscreen");
            await ann.WaitUntilAsync("document.fullscreenElement === null", "full screen left");

            // Back to the grid: equal tiles.
            await ann.Page.Keyboard.PressAsync("l");
            Assert.Equal(0, await ann.Page.Locator(".grid.speaker-view").CountAsync());
            var ben2 = (await ann.Page.Locator(TileOf(benId)).BoundingBoxAsync())!;
            var cat2 = (await ann.Page.Locator(TileOf(catId)).BoundingBoxAsync())!;
            Assert.Equal(ben2.Width, cat2.Width, 1.0);
        }
        finally
        {
            foreach (var person in people) await person.DisposeAsync();
        }
    }

    /// <summary>The tile of <paramref name="large"/> is shown at least twice as wide as that of <paramref name="small"/>.</summary>
    private static async Task AssertLargeAsync(Participant viewer, string large, string small)
    {
        var big = (await viewer.Page.Locator(TileOf(large)).BoundingBoxAsync())!;
        var little = (await viewer.Page.Locator(TileOf(small)).BoundingBoxAsync())!;
        Assert.True(big.Width >= 2 * little.Width, $"{large}: {big.Width}x{big.Height}, {small}: {little.Width}x{little.Height}");
    }

    [Fact]
    public async Task People_panel_shows_a_raised_hand_and_mute_and_shortcuts_and_announcements_work()
    {
        await using var alice = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "people", "Alice", initScript: SmallCamera);
        await alice.WaitConnectedAsync();
        await using var bob = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "people", "Bob", initScript: SmallCamera);
        await bob.WaitConnectedAsync();
        var bobId = await bob.ParticipantIdAsync();
        await alice.WaitUntilAsync("document.getElementById('announcer').textContent.includes('Bob joined')", "Bob's join announced");

        // The help dialog lists the shortcuts.
        await alice.Page.Keyboard.PressAsync("?");
        Assert.True(await alice.Page.IsVisibleAsync("#help-dialog"));
        Assert.Contains("Mute or unmute the microphone", await alice.Page.TextContentAsync("#shortcut-list"));
        await alice.Page.Keyboard.PressAsync("Escape");
        Assert.False(await alice.Page.IsVisibleAsync("#help-dialog"));

        // Bob raises his hand and mutes from the keyboard; Alice sees both on his tile and in the People panel.
        await bob.Page.Keyboard.PressAsync("h");
        await bob.Page.Keyboard.PressAsync("m");
        Assert.Equal("Unmute", await bob.Page.TextContentAsync("#mic"));
        Assert.Equal("true", await bob.Page.GetAttributeAsync("#hand", "aria-pressed"));
        await alice.WaitUntilAsync($"!document.querySelector('{TileOf(bobId)} .hand').hidden && !document.querySelector('{TileOf(bobId)} .muted').hidden",
            "Bob's hand and muted badges");
        await alice.Page.Keyboard.PressAsync("p");
        Assert.True(await alice.Page.IsVisibleAsync("#people"));
        var bobRow = alice.Page.Locator($"#people-list li[data-id=\"{bobId}\"]");
        await alice.WaitUntilAsync($"document.querySelector('#people-list li[data-id=\"{bobId}\"]')?.textContent.includes('muted')", "Bob muted in the list");
        Assert.Contains("✋ hand raised", await bobRow.TextContentAsync());
        Assert.Contains("Alice (you)", await alice.Page.TextContentAsync("#people-list"));
        Assert.Equal("People (2)", await alice.Page.TextContentAsync("#people-title"));
        await alice.WaitUntilAsync("document.getElementById('announcer').textContent.includes('Bob raised their hand')", "the raised hand announced");

        // Chat is announced; the invite link is the room's address.
        await bob.Page.FillAsync("#chat-input", "hi Alice");
        await bob.Page.PressAsync("#chat-input", "Enter");
        await alice.WaitUntilAsync("document.getElementById('announcer').textContent.includes('Bob says: hi Alice')", "the chat message announced");
        await alice.Page.ClickAsync("#invite");
        await alice.WaitUntilAsync("document.getElementById('announcer').textContent.includes('/room/people')", "the invite link");

        // Keys typed into the chat are text, not shortcuts.
        await alice.Page.FillAsync("#chat-input", "");
        await alice.Page.FocusAsync("#chat-input");
        await alice.Page.Keyboard.PressAsync("m");
        Assert.Equal("Mute", await alice.Page.TextContentAsync("#mic"));

        await bob.Page.CloseAsync();
        await alice.WaitUntilAsync("document.getElementById('announcer').textContent.includes('Bob left')", "Bob's leave announced");
    }

    [Fact]
    public async Task On_a_phone_the_controls_are_within_the_screen_tiles_fit_and_chat_is_an_overlay()
    {
        var phone = new ViewportSize { Width = 390, Height = 844 };
        await using var alice = await Participant.OpenPrejoinAsync(app.Browser, app.Server.HttpBase, "phone", "Alice", SmallCamera, phone);
        await using var bob = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "phone", "Bob", initScript: SmallCamera, viewport: phone);
        await alice.WaitUntilAsync("document.querySelectorAll('#camera-select option').length === 3", "the devices listed");
        await alice.Page.FillAsync("#name-input", "Alice");
        await ScreenshotComparison.MatchAsync(alice.Page, "prejoin-phone", "#mic-level");
        var join = (await alice.Page.Locator("#join").BoundingBoxAsync())!;
        Assert.True(join.Y + join.Height <= phone.Height, $"Join is below the screen: {join.Y}");
        await alice.Page.ClickAsync("#join");
        await alice.WaitForPlayingVideosAsync(1);

        foreach (var control in await alice.Page.Locator("#controls button").AllAsync())
        {
            var box = (await control.BoundingBoxAsync())!;
            Assert.True(box.X >= 0 && box.Y >= 0 && box.X + box.Width <= phone.Width && box.Y + box.Height <= phone.Height,
                $"{await control.TextContentAsync()} outside the screen: {box.X},{box.Y} {box.Width}x{box.Height}");
            Assert.True(box.Height >= 40, $"{await control.TextContentAsync()} is too small to tap: {box.Height}");
        }
        foreach (var tile in await alice.Page.Locator(".tile").AllAsync())
        {
            var box = (await tile.BoundingBoxAsync())!;
            Assert.True(box.X >= 0 && box.X + box.Width <= phone.Width, $"tile outside the screen: {box.X} {box.Width}");
        }

        Assert.False(await alice.Page.IsVisibleAsync("#chat"));
        await alice.Page.Mouse.MoveAsync(0, 0); // no button hovered
        await ScreenshotComparison.MatchAsync(alice.Page, "call-phone", ".tile");
        await alice.Page.ClickAsync("#chat-toggle");
        Assert.True(await alice.Page.IsVisibleAsync("#chat-input"));
        var chat = (await alice.Page.Locator("#chat").BoundingBoxAsync())!;
        var grid = (await alice.Page.Locator("#grid").BoundingBoxAsync())!;
        Assert.True(chat.X + chat.Width <= phone.Width && chat.X < grid.X + grid.Width && chat.Width > phone.Width / 2,
            $"chat is no overlay on the grid: chat {chat.X} {chat.Width}, grid {grid.X} {grid.Width}");
        await alice.Page.FillAsync("#chat-input", "from my phone");
        await alice.Page.PressAsync("#chat-input", "Enter");
        await bob.WaitUntilAsync("document.getElementById('chat-log').textContent.includes('from my phone')", "the phone's chat message");

        // People replaces chat in the overlay.
        await alice.Page.ClickAsync("#people-toggle");
        Assert.True(await alice.Page.IsVisibleAsync("#people"));
        Assert.False(await alice.Page.IsVisibleAsync("#chat"));
    }
}
