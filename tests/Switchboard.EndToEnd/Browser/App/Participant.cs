using System.Text.Json;
using Microsoft.Playwright;

namespace Switchboard.EndToEnd.Browser.App;

/// <summary>One person in the web app: a browser context with the room page open, and what a user would see in it.</summary>
public sealed class Participant : IAsyncDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(45);
    private readonly IBrowserContext context;
    private readonly List<string> console = [];

    private Participant(IBrowserContext context, IPage page, string name)
    {
        this.context = context;
        Page = page;
        Name = name;
        page.Console += (_, message) => console.Add($"{name} console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => console.Add($"{name} page error: {error}");
    }

    public IPage Page { get; }

    public string Name { get; }

    public string Console => string.Join('\n', console.TakeLast(40));

    /// <summary>Opens <c>/room/{room}?name={name}</c> (plus <paramref name="query"/>); <paramref name="initScript"/> runs before the page's own.</summary>
    public static async Task<Participant> OpenAsync(IBrowser browser, Uri server, string room, string name, string query = "", string? initScript = null)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 720 } });
        if (initScript is not null) await context.AddInitScriptAsync(initScript);
        var page = await context.NewPageAsync();
        var participant = new Participant(context, page, name);
        await page.GotoAsync(new Uri(server, $"room/{room}?name={Uri.EscapeDataString(name)}{query}").ToString());
        return participant;
    }

    public async Task WaitConnectedAsync() =>
        await WaitUntilAsync("window.switchboard?.room.connectionState === 'connected'", "the room to connect");

    public async Task<string> ParticipantIdAsync() => await Page.EvaluateAsync<string>("window.switchboard.room.localParticipant.id");

    /// <summary>Remote tiles: name shown, and frames the <c>&lt;video&gt;</c> has decoded so far.</summary>
    public async Task<IReadOnlyList<RemoteTile>> RemoteTilesAsync() =>
        (await Page.EvaluateAsync<JsonElement>("""
            () => [...document.querySelectorAll('.tile:not(.local)')].map(t => ({
              id: t.dataset.id,
              name: t.querySelector('.name').textContent,
              frames: t.querySelector('video').getVideoPlaybackQuality().totalVideoFrames,
              width: t.querySelector('video').videoWidth,
              muted: !t.querySelector('.muted').hidden,
            }))
            """)).Deserialize<RemoteTile[]>(JsonSerializerOptions.Web)!;

    /// <summary>Waits until <paramref name="count"/> remote videos play (frames decoded, then more frames a moment later).</summary>
    public async Task<IReadOnlyList<RemoteTile>> WaitForPlayingVideosAsync(int count)
    {
        await WaitUntilAsync($"""
            [...document.querySelectorAll('.tile:not(.local) video')].filter(v => v.getVideoPlaybackQuality().totalVideoFrames > 0).length >= {count}
            """, $"{count} remote videos to decode frames");
        var before = await RemoteTilesAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var after = await RemoteTilesAsync();
        foreach (var tile in after)
        {
            var earlier = before.SingleOrDefault(t => t.Id == tile.Id);
            Assert.True(earlier is not null && tile.Frames > earlier.Frames,
                $"{Name}: the video of {tile.Name} is not playing (frames {earlier?.Frames} then {tile.Frames}).\n{Console}");
        }
        Assert.Equal(count, after.Count);
        return after;
    }

    /// <summary>The events the page's room reported (window.switchboard.events).</summary>
    public async Task<JsonElement[]> EventsAsync() =>
        [.. (await Page.EvaluateAsync<JsonElement>("JSON.parse(JSON.stringify(window.switchboard.events))")).EnumerateArray()];

    public async Task WaitUntilAsync(string expression, string what)
    {
        try
        {
            await Page.WaitForFunctionAsync(expression, null, new PageWaitForFunctionOptions { Timeout = (float)WaitLimit.TotalMilliseconds, PollingInterval = 200 });
        }
        catch (TimeoutException)
        {
            var notice = await Page.EvaluateAsync<string>("document.getElementById('notice')?.textContent ?? ''");
            Assert.Fail($"{Name}: waited {WaitLimit.TotalSeconds} s for {what}. Notice: '{notice}'.\n{Console}");
        }
    }

    public async ValueTask DisposeAsync() => await context.DisposeAsync();
}

public sealed record RemoteTile(string Id, string Name, int Frames, int Width, bool Muted);
