using PuppeteerSharp;

namespace Switchboard.EndToEnd.Browser.Firefox;

/// <summary>
/// Starts the Debian package's Firefox ESR (<c>/usr/bin/firefox-esr</c>; no browser is ever downloaded) headless under
/// PuppeteerSharp over WebDriver BiDi, with fake media devices, loopback ICE candidates and nothing that reaches the network.
/// </summary>
public static class FirefoxLauncher
{
    public const string FirefoxPath = "/usr/bin/firefox-esr";

    /// <summary>
    /// The prefs of docs/testing.md. Fake camera and microphone without a prompt. <c>media.peerconnection.ice.loopback</c>
    /// lets ICE use 127.0.0.1 and ::1, and camera and microphone allowed by default make every origin count as one with a
    /// capture permission: without one, Firefox gathers on the default route's address only, which a loopback-only
    /// machine does not have, so no candidate at all. The rest keeps Firefox from calling home (updates, telemetry,
    /// studies, captive portal and connectivity checks, safe browsing, remote settings, prefetching).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, object> Prefs = new Dictionary<string, object>
    {
        ["media.navigator.streams.fake"] = true,
        ["media.navigator.permission.disabled"] = true,
        ["media.peerconnection.ice.loopback"] = true,
        ["permissions.default.camera"] = 1,
        ["permissions.default.microphone"] = 1,
        ["app.update.auto"] = false,
        ["app.update.enabled"] = false,
        ["app.normandy.enabled"] = false,
        ["app.shield.optoutstudies.enabled"] = false,
        ["messaging-system.rsexperimentloader.enabled"] = false,
        ["toolkit.telemetry.enabled"] = false,
        ["toolkit.telemetry.unified"] = false,
        ["toolkit.telemetry.server"] = "",
        ["datareporting.healthreport.uploadEnabled"] = false,
        ["datareporting.policy.dataSubmissionEnabled"] = false,
        ["network.captive-portal-service.enabled"] = false,
        ["network.connectivity-service.enabled"] = false,
        ["network.dns.disablePrefetch"] = true,
        ["network.prefetch-next"] = false,
        ["network.predictor.enabled"] = false,
        ["browser.safebrowsing.malware.enabled"] = false,
        ["browser.safebrowsing.phishing.enabled"] = false,
        ["browser.safebrowsing.downloads.enabled"] = false,
        ["browser.safebrowsing.update.enabled"] = false,
        ["browser.region.network.url"] = "",
        ["browser.region.update.enabled"] = false,
        ["browser.search.geoip.url"] = "",
        ["geo.provider.network.url"] = "",
        ["extensions.blocklist.enabled"] = false,
        ["extensions.getAddons.cache.enabled"] = false,
        ["media.gmp-manager.updateEnabled"] = false,
        ["services.settings.server"] = "http://127.0.0.1:9/",
        ["browser.ping-centre.telemetry"] = false,
    };

    /// <summary>One Firefox process on <paramref name="profile"/> (a directory of the caller's, which it deletes afterwards).</summary>
    public static async Task<IBrowser> LaunchAsync(string profile)
    {
        if (!File.Exists(FirefoxPath))
        {
            throw new FileNotFoundException($"{FirefoxPath} is missing: install the Debian package firefox-esr (./test.sh does).", FirefoxPath);
        }

        return await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Browser = SupportedBrowser.Firefox,
            ExecutablePath = FirefoxPath,
            Protocol = ProtocolType.WebdriverBiDi,
            Headless = true,
            UserDataDir = profile,
            ExtraPrefsFirefox = Prefs.ToDictionary(),
            DefaultViewport = new ViewPortOptions { Width = 1280, Height = 720 },
        });
    }
}
