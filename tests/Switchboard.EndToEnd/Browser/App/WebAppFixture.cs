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
/// The web app in sfu rooms with three fake cameras (Chromium's <c>device-count=3</c>), for choosing and switching devices.
/// </summary>
public sealed class FakeCamerasAppFixture : WebAppFixture
{
    /// <summary>
    /// The camera to switch to (index in the list). Chromium's fake cameras give frames in turn in I420, Y16 and MJPEG:
    /// the second one's 16-bit depth frames play in a video element, but a video sender sends none of them.
    /// </summary>
    public const int SendableSecondCamera = 2;

    protected override string[] ServerArguments => ["--Signaling:AllowAnonymous=true"];

    protected override string[] BrowserArguments =>
        [.. BrowserFixture.ChromiumArguments.Where(a => a != "--use-fake-device-for-media-stream"), "--use-fake-device-for-media-stream=device-count=3"];
}
