using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Switchboard.EndToEnd.Browser;
using Switchboard.EndToEnd.Browser.App;

namespace Switchboard.EndToEnd.WhipWhep;

/// <summary>
/// The web app's broadcast pages as a user meets them: from the start page's links, the go-live page (/live) publishes
/// the camera or a screen by WHIP and the watch page (/watch) plays it by WHEP, frames advancing; a watch page opened
/// before anyone is live waits and plays once someone is; when WHEP is refused and the room has an HLS playlist, the
/// watch page turns to it. The camera sends 320x180, and a screen its own size, which viewers decode.
/// </summary>
public sealed class GoLiveWatchTests(SfuAppFixture app, ITestOutputHelper output) : IClassFixture<SfuAppFixture>
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    /// <summary>What a go-live or watch page shows: its state, notice, and the frames and size of its video.</summary>
    private sealed record PageReading(string State, string? Notice, string? Mode, int Frames, int Width, int Height);

    private static async Task<PageReading> ReadAsync(IPage page) =>
        (await page.EvaluateAsync<JsonElement>("""
            () => {
              const v = document.getElementById('video'), n = document.getElementById('notice');
              return { state: document.getElementById('state').textContent, notice: n.hidden ? null : n.textContent, mode: window.whipWhep.mode ?? null,
                frames: v.getVideoPlaybackQuality().totalVideoFrames, width: v.videoWidth, height: v.videoHeight };
            }
            """)).Deserialize<PageReading>(JsonSerializerOptions.Web)!;

    private async Task<IPage> OpenAsync(IBrowserContext context, string path)
    {
        await context.AddInitScriptAsync(RoomParticipant.SmallMedia(320, 180, 10, 640, 360, 5));
        var page = await context.NewPageAsync();
        page.Console += (_, message) => output.WriteLine($"{path} console.{message.Type}: {message.Text}");
        await page.GotoAsync(new Uri(app.Server.HttpBase, path).ToString());
        return page;
    }

    private static async Task WaitAsync(IPage page, string expression, string what)
    {
        try
        {
            await page.UntilAsync(expression, WaitLimit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"waited {WaitLimit.TotalSeconds} s for {what}; the page shows {await ReadAsync(page)}");
        }
    }

    /// <summary>Waits for the page's video to show frames, then for more: it plays, at the size it has.</summary>
    private async Task<PageReading> WaitPlayingAsync(IPage page, string what)
    {
        await WaitAsync(page, "(() => { const v = document.getElementById('video'); return v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0; })()", what);
        var first = await ReadAsync(page);
        await WaitAsync(page, $"document.getElementById('video').getVideoPlaybackQuality().totalVideoFrames > {first.Frames + 5}", what + " to go on");
        var later = await ReadAsync(page);
        output.WriteLine($"{what}: {first} then {later}");
        return later;
    }

    [Fact]
    public async Task The_start_page_leads_to_go_live_with_the_camera_and_to_watch_it()
    {
        const string room = "golive-camera";
        await using var liveContext = await app.Browser.NewContextAsync();
        await using var watchContext = await app.Browser.NewContextAsync();

        // The start page's links carry the room typed there.
        var live = await OpenAsync(liveContext, "/");
        await live.FillAsync("#room-name", room);
        await live.ClickAsync("#go-live");
        await live.WaitForURLAsync($"**/live?room={room}");
        Assert.Equal(room, await live.InputValueAsync("#room"));
        // A token pasted in the field is used: the publisher is its identity.
        await live.FillAsync("#token", await app.Server.TokenCreateAsync("--identity", "host", "--room", room));
        Assert.True(await live.IsCheckedAsync("#source-camera"));
        await live.ClickAsync("#start");
        await WaitAsync(live, "document.getElementById('state').textContent === 'live'", "the go-live page to be live");
        Assert.True(await live.IsVisibleAsync("#stop"));
        Assert.True(await live.IsDisabledAsync("#room"), "the room can be changed while live");

        var watch = await OpenAsync(watchContext, "/");
        await watch.FillAsync("#room-name", room);
        await watch.ClickAsync("#watch");
        await watch.WaitForURLAsync($"**/watch?room={room}");
        await watch.ClickAsync("#start");
        var playing = await WaitPlayingAsync(watch, "the watch page");
        Assert.Equal(("playing", "whep", 320, 180), (playing.State, playing.Mode, playing.Width, playing.Height));

        // A participant of the room sees the publisher by its token's identity.
        await using var ann = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, room, "Ann", initScript: RoomParticipant.SmallMedia(320, 180, 10));
        await ann.WaitConnectedAsync();
        await ann.WaitUntilAsync("[...document.querySelectorAll('.tile .name')].some(n => n.textContent === 'host')", "the publisher's tile, named by its token");

        // Stop: the page says so, and the publisher leaves the room.
        await live.ClickAsync("#stop");
        await WaitAsync(live, "document.getElementById('state').textContent === 'stopped'", "the go-live page to stop");
        Assert.True(await live.IsVisibleAsync("#start"));
        Assert.True(await live.IsEnabledAsync("#room"));
        await ann.WaitUntilAsync("![...document.querySelectorAll('.tile .name')].some(n => n.textContent === 'host')", "the publisher to leave");
    }

    [Fact]
    public async Task Go_live_with_the_screen_and_a_watch_page_opened_before_plays_it_once_live()
    {
        // getDisplayMedia works in headless Chromium with --use-fake-ui-for-media-stream: it picks the fake screen.
        const string room = "golive-screen";
        await using var liveContext = await app.Browser.NewContextAsync();
        await using var watchContext = await app.Browser.NewContextAsync();

        // Nothing is live yet: the watch page says so and waits (WHEP answers 409 with Retry-After).
        var watch = await OpenAsync(watchContext, $"/watch?room={room}&start");
        await WaitAsync(watch, "document.getElementById('state').textContent === 'waiting'", "the watch page to wait");
        Assert.StartsWith("Nothing is live in this room yet", (await ReadAsync(watch)).Notice);

        var live = await OpenAsync(liveContext, $"/live?room={room}&source=screen");
        Assert.True(await live.IsCheckedAsync("#source-screen"));
        await live.ClickAsync("#start");
        await WaitAsync(live, "document.getElementById('state').textContent === 'live'", "the go-live page to be live with the screen");

        // What the watch page plays is the screen the go-live page captures, at its size.
        var sent = await live.EvaluateAsync<JsonElement>("(({ width, height, displaySurface }) => ({ width, height, displaySurface }))(window.whipWhep.stream.getVideoTracks()[0].getSettings())");
        output.WriteLine($"the go-live page sends {sent}");
        Assert.True(sent.TryGetProperty("displaySurface", out _), $"the go-live page sends no screen: {sent}");
        var playing = await WaitPlayingAsync(watch, "the watch page, after waiting");
        Assert.Equal(("playing", sent.GetProperty("width").GetInt32(), sent.GetProperty("height").GetInt32()), (playing.State, playing.Width, playing.Height));
        Assert.Null(playing.Notice);
        await live.ClickAsync("#stop");
        await WaitAsync(live, "document.getElementById('state').textContent === 'stopped'", "the go-live page to stop");
    }

    [Fact]
    public async Task When_whep_is_refused_the_watch_page_turns_to_the_rooms_hls_playlist()
    {
        // The room is a mesh (p2p): WHEP is refused with 409 and no Retry-After. Its HLS playlist answers 200 here.
        const string room = "golive-hls";
        using var api = new HttpClient { BaseAddress = app.Server.HttpBase };
        api.DefaultRequestHeaders.Authorization = new("Bearer", await app.Server.TokenCreateAsync("--identity", "ops", "--admin"));
        (await api.PostAsync("api/rooms", JsonContent.Create(new { name = room, media = "p2p" }))).EnsureSuccessStatusCode();
        await using var context = await app.Browser.NewContextAsync();
        string playlist = $"/hls/{room}/index.m3u8";
        await context.RouteAsync($"**{playlist}", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 200,
            ContentType = "application/vnd.apple.mpegurl",
            Body = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n",
        }));

        var watch = await OpenAsync(context, $"/watch?room={room}&start");
        await WaitAsync(watch, "window.whipWhep.mode === 'hls'", "the watch page to turn to HLS");
        var reading = await ReadAsync(watch);
        output.WriteLine($"the watch page: {reading}");
        Assert.Contains("409", reading.Notice);
        // Chromium has Media Source Extensions: hls.js plays the playlist (GatewayTests plays a real one to frames).
        Assert.Equal("playing (HLS)", reading.State);
        Assert.Equal("hls.js", await watch.EvaluateAsync<string>("window.whipWhep.player"));
    }
}
