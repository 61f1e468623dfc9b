using System.Text.Json;
using Microsoft.Playwright;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Browser.Media;

/// <summary>Headless Chromium on the web app's "test my connection" page, whose measurements live in <c>window.connectionTest</c>.</summary>
public static class EchoPage
{
    /// <summary>Opens the test page, which starts at once, and waits until it has media back.</summary>
    public static async Task<JsonElement> StartTestAsync(IPage page, SwitchboardProcess server)
    {
        await page.GotoAsync(new Uri(server.HttpBase, "/test?auto=1").ToString());
        await page.UntilAsync("() => window.connectionTest.state === 'passed' || window.connectionTest.state === 'failed'");
        var first = await Snapshot(page);
        Assert.True("passed" == first.GetProperty("state").GetString(), first.ToString());
        return first;
    }

    public sealed class Chromium(IPlaywright playwright, IBrowser browser) : IAsyncDisposable
    {
        public Task<IPage> NewPageAsync() => browser.NewPageAsync();

        public async ValueTask DisposeAsync()
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }

    public static async Task<Chromium> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFixture.ChromiumPath,
            Args = BrowserFixture.ChromiumArguments,
            Headless = true,
        });
        return new Chromium(playwright, browser);
    }

    public static async Task<JsonElement> Snapshot(IPage page) =>
        JsonDocument.Parse(await page.EvaluateAsync<string>("() => JSON.stringify(window.connectionTest)")).RootElement.Clone();
}
