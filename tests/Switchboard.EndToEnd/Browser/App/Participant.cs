using Microsoft.Playwright;

namespace Switchboard.EndToEnd.Browser.App;

/// <summary>One person in the web app in Chromium: a browser context with the room page open, and what a user would see in it.</summary>
public sealed class Participant : RoomParticipant
{
    private readonly IBrowserContext _context;

    private Participant(IBrowserContext context, IPage page, string name, Uri url) : base(name, url)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) => AddConsole($"console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => AddConsole($"page error: {error}");
    }

    public IPage Page { get; }

    /// <summary>Opens <c>/room/{room}?name={name}</c> (plus <paramref name="query"/>); <paramref name="initScript"/> runs before the page's own.</summary>
    public static Task<Participant> OpenAsync(IBrowser browser, Uri server, string room, string name, string query = "", string? initScript = null,
        ViewportSize? viewport = null) =>
        OpenUrlAsync(browser, new Uri(server, $"room/{room}?name={Uri.EscapeDataString(name)}{query}"), name, initScript, viewport);

    /// <summary>Opens <c>/room/{room}</c> without a name: the pre-join screen, where <paramref name="name"/> is to be typed.</summary>
    public static Task<Participant> OpenPrejoinAsync(IBrowser browser, Uri server, string room, string name, string? initScript = null,
        ViewportSize? viewport = null) =>
        OpenUrlAsync(browser, new Uri(server, $"room/{room}"), name, initScript, viewport);

    private static async Task<Participant> OpenUrlAsync(IBrowser browser, Uri url, string name, string? initScript, ViewportSize? viewport)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 720 } });
        if (initScript is not null) await context.AddInitScriptAsync(initScript);
        var page = await context.NewPageAsync();
        var participant = new Participant(context, page, name, url);
        await page.GotoAsync(url.ToString());
        return participant;
    }

    /// <summary>Opens the room page again (after Leave, which goes to the start page): a new participant id.</summary>
    public async Task ReopenAsync() => await Page.GotoAsync(Url.ToString());

    public override async Task<T> EvaluateAsync<T>(string script) => await Page.EvaluateAsync<T>(script);

    public override async Task EvaluateAsync(string script) => await Page.EvaluateAsync(script);

    public override async ValueTask DisposeAsync() => await _context.DisposeAsync();

    protected override async Task PollUntilAsync(string expression, TimeSpan wait) => await Page.UntilAsync(expression, wait);
}
