using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Switchboard.EndToEnd.Browser;

/// <summary>
/// A Chromium driven by Playwright (the Debian package's /usr/bin/chromium; no browser is ever downloaded) and a tiny
/// Kestrel app serving the test page over http://127.0.0.1:PORT (pages need an http origin for getUserMedia).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>
    /// The flags of docs/testing.md, plus --ignore-certificate-errors: Chromium 156 checks the certificate of a
    /// turns: server like any other TLS peer, so the self-signed certificate of the server under test fails with
    /// icecandidateerror 701 "Failed to establish connection" and no relay candidate. That flag makes it accept it;
    /// Playwright's IgnoreHTTPSErrors context option does not reach TURN's TLS client. Plain turn: needs neither.
    /// </summary>
    public static readonly string[] ChromiumArguments =
    [
        "--no-sandbox",
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        "--allow-loopback-in-peer-connection",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-gpu",
        "--ignore-certificate-errors",
    ];

    private WebApplication? _pageHost;
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>http://127.0.0.1:PORT/relay.html</summary>
    public Uri RelayPage { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        string page;
        using (var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("relay-page.html")
                            ?? throw new InvalidOperationException("relay-page.html is not embedded."))
        using (var reader = new StreamReader(stream))
        {
            page = await reader.ReadToEndAsync();
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _pageHost = builder.Build();
        _pageHost.MapGet("/relay.html", () => Results.Content(page, "text/html; charset=utf-8"));
        await _pageHost.StartAsync();
        var address = _pageHost.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        RelayPage = new Uri(new Uri(address), "/relay.html");

        if (!File.Exists(ChromiumPath))
        {
            throw new FileNotFoundException($"{ChromiumPath} is missing: install the Debian package chromium (./test.sh does).", ChromiumPath);
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Args = ChromiumArguments,
            Headless = true,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_pageHost is not null)
        {
            await _pageHost.StopAsync();
            await _pageHost.DisposeAsync();
        }
    }
}
