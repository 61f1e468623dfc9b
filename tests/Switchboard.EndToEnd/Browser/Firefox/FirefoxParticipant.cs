using PuppeteerSharp;
using Switchboard.EndToEnd.Browser.App;
using Switchboard.EndToEnd.Infrastructure;

namespace Switchboard.EndToEnd.Browser.Firefox;

/// <summary>One person in the web app in Firefox: a Firefox process of its own, on a temp profile, with the room page open.</summary>
public sealed class FirefoxParticipant : RoomParticipant
{
    private readonly TempDirectory _profile;
    private readonly IBrowser _browser;

    private FirefoxParticipant(TempDirectory profile, IBrowser browser, IPage page, string name, Uri url) : base(name, url)
    {
        _profile = profile;
        _browser = browser;
        Page = page;
        page.Console += (_, e) => AddConsole($"console.{e.Message.Type}: {e.Message.Text}");
        page.PageError += (_, e) => AddConsole($"page error: {e.Message}");
    }

    public IPage Page { get; }

    /// <summary>Opens <c>/room/{room}?name={name}</c> (plus <paramref name="query"/>); <paramref name="initScript"/> runs before the page's own.</summary>
    public static async Task<FirefoxParticipant> OpenAsync(Uri server, string room, string name, string query = "", string? initScript = null)
    {
        var profile = new TempDirectory("firefox");
        IBrowser? browser = null;
        try
        {
            browser = await FirefoxLauncher.LaunchAsync(profile.Path);
            var page = (await browser.PagesAsync()).FirstOrDefault() ?? await browser.NewPageAsync();
            if (initScript is not null) await page.EvaluateExpressionOnNewDocumentAsync(initScript);
            var url = new Uri(server, $"room/{room}?name={Uri.EscapeDataString(name)}{query}");
            var participant = new FirefoxParticipant(profile, browser, page, name, url);
            await page.GoToAsync(url.ToString());
            return participant;
        }
        catch
        {
            if (browser is not null) await browser.DisposeAsync();
            profile.Dispose();
            throw;
        }
    }

    public override async Task<T> EvaluateAsync<T>(string script) =>
        PageWait.IsFunction(script) ? await Page.EvaluateFunctionAsync<T>(script) : await Page.EvaluateExpressionAsync<T>(script);

    public override async Task EvaluateAsync(string script)
    {
        if (PageWait.IsFunction(script)) await Page.EvaluateFunctionAsync(script);
        else await Page.EvaluateExpressionAsync(script);
    }

    public override async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _profile.Dispose();
    }

    protected override async Task PollUntilAsync(string expression, TimeSpan wait) =>
        await PageWait.UntilAsync<PuppeteerException>(EvaluateAsync<bool>, expression, wait);
}
