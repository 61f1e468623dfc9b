using Microsoft.Playwright;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Browser.App;

/// <summary>What users see: the start page and a two-party room against baselines, and the messages for what goes wrong.</summary>
public sealed class ScreenTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task Start_page_matches_its_baseline_and_opens_the_rooms_pre_join_screen()
    {
        await using var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 720 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(app.Server.HttpBase.ToString());
        await page.FillAsync("#room-name", "standup");
        await page.FillAsync("#display-name", "Alice");
        await ScreenshotComparison.MatchAsync(page, "start-page");

        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/room/standup");
        await page.UntilAsync("!document.getElementById('prejoin').hidden");
        Assert.Equal("Alice", await page.InputValueAsync("#name-input")); // the pre-join screen, with the name remembered
        await page.ClickAsync("#join");
        await page.UntilAsync("window.switchboard?.room.connectionState === 'connected'");
        Assert.Equal("Alice (you)", await page.TextContentAsync(".tile.local .name"));
    }

    [Fact]
    public async Task Connection_test_page_matches_its_baseline_once_media_comes_back()
    {
        await using var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(app.Server.HttpBase, "/test?auto=1").ToString());
        await page.UntilAsync("() => window.connectionTest.state === 'passed' && window.connectionTest.roundTripMs !== null");
        Assert.StartsWith("Your network reaches the media server over UDP", await page.TextContentAsync("#verdict"));
        await ScreenshotComparison.MatchAsync(page, "connection-test", ".results td");
    }

    [Fact]
    public async Task Two_party_room_matches_its_baseline_and_its_tiles_fit_the_viewport()
    {
        await using var alice = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "screens", "Alice");
        await using var bob = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "screens", "Bob");
        await alice.WaitForPlayingVideosAsync(1);
        await bob.WaitForPlayingVideosAsync(1);

        var boxes = new List<LocatorBoundingBoxResult>();
        foreach (var tile in await alice.Page.Locator(".tile").AllAsync())
        {
            Assert.True(await tile.IsVisibleAsync());
            boxes.Add((await tile.BoundingBoxAsync())!);
        }
        Assert.Equal(2, boxes.Count);
        foreach (var box in boxes)
        {
            Assert.True(box.X >= 0 && box.Y >= 0 && box.X + box.Width <= 1280 && box.Y + box.Height <= 720, $"tile outside the viewport: {box.X},{box.Y} {box.Width}x{box.Height}");
            Assert.True(box.Width >= 200, $"tile too small: {box.Width}x{box.Height}");
        }
        Assert.False(boxes[0].X < boxes[1].X + boxes[1].Width && boxes[1].X < boxes[0].X + boxes[0].Width
                     && boxes[0].Y < boxes[1].Y + boxes[1].Height && boxes[1].Y < boxes[0].Y + boxes[0].Height, "the two tiles overlap");
        foreach (var control in new[] { "#mic", "#camera", "#screen", "#leave", "#chat-input" })
            Assert.True(await alice.Page.IsVisibleAsync(control), $"{control} is not visible");

        await ScreenshotComparison.MatchAsync(alice.Page, "two-party-room");
    }

    [Fact]
    public async Task Denied_camera_shows_a_message_and_still_joins_to_watch()
    {
        const string deny = "navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));";
        await using var viewer = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "denied", "Viewer", initScript: deny);
        await using var bob = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "denied", "Bob");
        await viewer.WaitForPlayingVideosAsync(1);
        var notice = await viewer.Page.TextContentAsync("#notice");
        Assert.Contains("Camera and microphone are not available (NotAllowedError)", notice);
    }

    [Fact]
    public async Task Unreachable_server_shows_a_message()
    {
        // The page loads, but its WebSocket cannot be opened: it goes to a path of the server that is no WebSocket endpoint
        // (another port would be refused by the page's Content Security Policy before any connection is tried).
        const string unreachable = "const RealWebSocket = WebSocket; window.WebSocket = class extends RealWebSocket { constructor(url) { super(new URL('/no-signaling-here', url)); } };";
        await using var person = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "nowhere", "Alice", initScript: unreachable);
        await person.WaitUntilAsync("!document.getElementById('notice').hidden", "the notice");
        Assert.Equal("Cannot reach the Switchboard server. Check that it is running and reload the page.", await person.Page.TextContentAsync("#notice"));
        Assert.Equal("disconnected", await person.Page.TextContentAsync("#connection"));
    }

    [Fact]
    public async Task A_server_that_needs_tokens_explains_how_to_join()
    {
        await using var server = await SwitchboardProcess.StartAsync(role: "all");
        await using var person = await Participant.OpenAsync(app.Browser, server.HttpBase, "private", "Alice");
        await person.WaitUntilAsync("!document.getElementById('notice').hidden", "the notice");
        var notice = await person.Page.TextContentAsync("#notice");
        Assert.Contains("This server needs an access token to join", notice);
        Assert.Contains("--Signaling:AllowAnonymous=true", notice);
        Assert.Contains("switchboard token create --room private", notice);
    }
}
