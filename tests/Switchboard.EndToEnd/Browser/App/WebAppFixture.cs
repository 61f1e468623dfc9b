using Microsoft.Playwright;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Browser.App;

/// <summary>
/// The whole server (<c>switchboard all</c>: web app, signaling, TURN) with anonymous joins on, and one headless
/// Chromium whose contexts are the participants (each context is a separate browser profile).
/// </summary>
public sealed class WebAppFixture : IAsyncLifetime
{
    private IPlaywright? playwright;
    private SwitchboardProcess? server;

    public SwitchboardProcess Server => server ?? throw new InvalidOperationException("The server has not started.");

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        server = await SwitchboardProcess.StartAsync(["--Signaling:AllowAnonymous=true"], role: "all");
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFixture.ChromiumPath,
            Args = BrowserFixture.ChromiumArguments,
            Headless = true,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
        if (server is not null) await server.DisposeAsync();
    }
}
