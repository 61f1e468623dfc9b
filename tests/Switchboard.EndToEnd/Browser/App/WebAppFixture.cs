using Microsoft.Playwright;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Browser.App;

/// <summary>
/// The whole server (<c>switchboard all</c>: web app, signaling, TURN, media) with anonymous joins on, and one headless
/// Chromium whose contexts are the participants (each context is a separate browser profile). Rooms are meshes
/// (<c>--Signaling:DefaultMediaMode=p2p</c>): the browsers call each other directly; <see cref="SfuAppFixture"/> is the
/// same with rooms through the media server.
/// </summary>
public class WebAppFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private SwitchboardProcess? _server;

    public SwitchboardProcess Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The server's settings beyond ports and data directory.</summary>
    protected virtual string[] ServerArguments => ["--Signaling:AllowAnonymous=true", "--Signaling:DefaultMediaMode=p2p"];

    /// <summary>Chromium's flags.</summary>
    protected virtual string[] BrowserArguments => BrowserFixture.ChromiumArguments;

    public async Task InitializeAsync()
    {
        _server = await SwitchboardProcess.StartAsync(ServerArguments, role: "all");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFixture.ChromiumPath,
            Args = BrowserArguments,
            Headless = true,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>The web app with rooms in the server's default media mode, <c>sfu</c>: everyone sends to and receives from the media server.</summary>
public sealed class SfuAppFixture : WebAppFixture
{
    protected override string[] ServerArguments => ["--Signaling:AllowAnonymous=true"];
}

/// <summary>
/// The web app in sfu rooms with two fake cameras (Chromium's <c>device-count=2</c>), for choosing and switching devices.
/// </summary>
public sealed class TwoCameraAppFixture : WebAppFixture
{
    protected override string[] ServerArguments => ["--Signaling:AllowAnonymous=true"];

    protected override string[] BrowserArguments =>
        [.. BrowserFixture.ChromiumArguments.Where(a => a != "--use-fake-device-for-media-stream"), "--use-fake-device-for-media-stream=device-count=2"];

    /// <summary>
    /// Opens the second camera in a page of its own and keeps it open until disposed. Chromium's fake cameras stamp
    /// each frame with the time since the device opened, and a sender or a video element drops frames older than the
    /// last one it had: a page switches cleanly only to a camera that has been open longer than the one it leaves.
    /// </summary>
    public async Task<IBrowserContext> HoldSecondCameraAsync()
    {
        var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Server.HttpBase.ToString());
        await page.EvaluateAsync("""
            async () => {
              (await navigator.mediaDevices.getUserMedia({ video: true })).getTracks().forEach(t => t.stop()); // for the device ids
              const second = (await navigator.mediaDevices.enumerateDevices()).filter(d => d.kind === 'videoinput')[1];
              window.held = await navigator.mediaDevices.getUserMedia({ video: { deviceId: { exact: second.deviceId } } });
            }
            """);
        return context;
    }
}
