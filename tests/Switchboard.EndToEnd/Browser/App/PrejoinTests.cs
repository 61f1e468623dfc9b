namespace Switchboard.EndToEnd.Browser.App;

/// <summary>
/// The room page's pre-join screen, in a browser with several fake cameras: it lists the devices, previews the chosen
/// camera, shows the microphone's level, remembers the name and joins muted or with the camera off; when the browser
/// refuses the camera it says what to do and still lets the user join.
/// </summary>
public sealed class PrejoinTests(FakeCamerasAppFixture app) : IClassFixture<FakeCamerasAppFixture>
{
    private static readonly string SmallCamera = RoomParticipant.SmallMedia(320, 240);

    /// <summary>The device id of the preview's camera track.</summary>
    private const string PreviewCamera = "document.getElementById('preview').srcObject?.getVideoTracks()[0]?.getSettings().deviceId";

    [Fact]
    public async Task Prejoin_lists_the_cameras_switching_camera_changes_the_preview_and_the_choices_carry_into_the_call()
    {
        await using var alice = await Participant.OpenPrejoinAsync(app.Browser, app.Server.HttpBase, "prejoin", "Alice", SmallCamera);
        await alice.WaitUntilAsync("document.querySelectorAll('#camera-select option').length === 3", "the cameras listed");
        Assert.True(await alice.Page.IsVisibleAsync("#prejoin"));
        Assert.False(await alice.Page.IsVisibleAsync("#controls"));
        var cameras = await alice.Page.EvaluateAsync<string[]>("[...document.querySelectorAll('#camera-select option')].map(o => o.value)");
        Assert.True(await alice.Page.EvaluateAsync<int>("document.querySelectorAll('#microphone-select option').length") >= 1);
        await alice.WaitUntilAsync($"{PreviewCamera} === '{cameras[0]}' && document.getElementById('preview').videoWidth > 0", "the first camera's preview");

        await alice.Page.SelectOptionAsync("#camera-select", cameras[FakeCamerasAppFixture.SendableSecondCamera]);
        await alice.WaitUntilAsync($"{PreviewCamera} === '{cameras[FakeCamerasAppFixture.SendableSecondCamera]}' && document.getElementById('preview').srcObject.getVideoTracks()[0].readyState === 'live'",
            "the preview to show another camera");
        var frames = await alice.Page.EvaluateAsync<int>("document.getElementById('preview').getVideoPlaybackQuality().totalVideoFrames");
        await alice.WaitUntilAsync($"document.getElementById('preview').getVideoPlaybackQuality().totalVideoFrames > {frames}", "the preview to play");

        // The fake microphone beeps: the level meter moves once the page has been interacted with.
        await alice.Page.ClickAsync("#prejoin-title");
        await alice.WaitUntilAsync("document.getElementById('mic-level').value > 0.02", "the microphone level meter to move");

        await alice.Page.FillAsync("#name-input", "Alice");
        await ScreenshotComparison.MatchAsync(alice.Page, "prejoin", "#mic-level");
        await alice.Page.CheckAsync("#join-muted");
        await alice.Page.CheckAsync("#join-camera-off");
        await alice.Page.ClickAsync("#join");
        await alice.WaitConnectedAsync();
        Assert.False(await alice.Page.IsVisibleAsync("#prejoin"));
        Assert.Equal("Alice (you)", await alice.Page.TextContentAsync(".tile.local .name"));
        Assert.Equal("Unmute", await alice.Page.TextContentAsync("#mic"));
        Assert.Equal("Camera on", await alice.Page.TextContentAsync("#camera"));
        Assert.Equal(cameras[FakeCamerasAppFixture.SendableSecondCamera], await alice.Page.EvaluateAsync<string>("window.switchboard.room.localStream.getVideoTracks()[0].getSettings().deviceId"));
        Assert.False(await alice.Page.EvaluateAsync<bool>("window.switchboard.room.localParticipant.state.audio"));
        Assert.False(await alice.Page.EvaluateAsync<bool>("window.switchboard.room.localParticipant.state.video"));

        // The name and the camera are remembered for the next visit.
        await alice.Page.ClickAsync("#leave");
        await alice.Page.WaitForURLAsync(app.Server.HttpBase.ToString());
        await alice.Page.GotoAsync(alice.Url.ToString());
        await alice.WaitUntilAsync("document.querySelectorAll('#camera-select option').length === 3", "the devices listed again");
        Assert.Equal("Alice", await alice.Page.InputValueAsync("#name-input"));
        Assert.Equal(cameras[FakeCamerasAppFixture.SendableSecondCamera], await alice.Page.InputValueAsync("#camera-select"));
    }

    [Fact]
    public async Task Denied_camera_and_microphone_explain_what_to_do_and_joining_to_watch_still_works()
    {
        const string deny = "navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));";
        await using var viewer = await Participant.OpenPrejoinAsync(app.Browser, app.Server.HttpBase, "prejoin-denied", "Viewer", deny);
        await viewer.WaitUntilAsync("!document.getElementById('device-guidance').hidden", "the guidance");
        Assert.StartsWith("The browser blocked the camera and microphone. Allow them for this site", await viewer.Page.TextContentAsync("#device-guidance"));
        Assert.True(await viewer.Page.IsDisabledAsync("#join-muted"));

        await viewer.Page.FillAsync("#name-input", "Viewer");
        await viewer.Page.ClickAsync("#join");
        await viewer.WaitConnectedAsync();
        Assert.Equal("Viewer (you)", await viewer.Page.TextContentAsync(".tile.local .name"));
    }

    [Fact]
    public async Task Keyboard_alone_joins_mutes_chats_and_leaves_with_a_visible_focus()
    {
        await using var bob = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "keyboard", "Bob", initScript: SmallCamera);
        await using var alice = await Participant.OpenPrejoinAsync(app.Browser, app.Server.HttpBase, "keyboard", "Alice", SmallCamera);
        await alice.WaitUntilAsync("document.activeElement?.id === 'name-input'", "the name field focused");
        await alice.Page.Keyboard.TypeAsync("Alice");
        await TabToAsync(alice, "join");
        await alice.Page.Keyboard.PressAsync("Enter");
        await alice.WaitConnectedAsync();

        await TabToAsync(alice, "mic");
        await alice.Page.Keyboard.PressAsync("Enter");
        Assert.Equal("Unmute", await alice.Page.TextContentAsync("#mic"));
        await TabToAsync(alice, "chat-input");
        await alice.Page.Keyboard.TypeAsync("typed only");
        await alice.Page.Keyboard.PressAsync("Enter");
        await bob.WaitUntilAsync("document.getElementById('chat-log').textContent.includes('typed only')", "Alice's chat message");
        await TabToAsync(alice, "leave");
        await alice.Page.Keyboard.PressAsync("Enter");
        await alice.Page.UntilAsync("location.pathname === '/' && document.getElementById('start-form') !== null");
    }

    /// <summary>Presses Tab until the element <paramref name="id"/> has the focus, and checks that the focus shows.</summary>
    private static async Task TabToAsync(Participant person, string id)
    {
        for (var i = 0; i < 30 && await person.Page.EvaluateAsync<string>("document.activeElement?.id ?? ''") != id; i++)
            await person.Page.Keyboard.PressAsync("Tab");
        Assert.Equal(id, await person.Page.EvaluateAsync<string>("document.activeElement?.id ?? ''"));
        Assert.NotEqual("none", await person.Page.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle"));
    }
}
