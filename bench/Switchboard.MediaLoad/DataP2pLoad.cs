using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.Playwright;
using Switchboard.Bench;

namespace Switchboard.MediaLoad;

/// <summary>
/// <c>--target data-p2p</c>: the reference for <c>--target data</c> without the server. A headless Chromium (the
/// Debian package's; no browser is downloaded) opens data-p2p.html, where two RTCPeerConnections connect over loopback
/// and one sends the other messages of <see cref="P2pOptions.Size"/> bytes, reliable or lossy, as fast as its
/// bufferedAmount allows. After the warm-up it measures for the duration: messages sent and received, and the CPU time
/// of every Chromium process (browser, renderer, GPU, network service) per 1,000 messages and per megabyte.
/// </summary>
internal static class DataP2pLoad
{
    private const double MB = 1e6;

    /// <summary>Where the page is served from, by Playwright itself (no server): 127.0.0.1 is a secure context.</summary>
    private const string PageUrl = "http://127.0.0.1/data-p2p.html";

    /// <summary>The flags the browser tests run Chromium with (docs/testing.md), and real addresses in host candidates.</summary>
    private static readonly string[] ChromiumArguments =
    [
        "--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-gpu", "--disable-features=WebRtcHideLocalIpsWithMdns",
    ];

    public static async Task<int> RunAsync(P2pOptions options)
    {
        string page;
        using (var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("data-p2p.html") ?? throw new InvalidOperationException("data-p2p.html is not embedded"))
        using (var reader = new StreamReader(stream))
            page = await reader.ReadToEndAsync();

        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = options.Chromium,
            Args = ChromiumArguments,
            Headless = true,
        });
        IPage tab = await browser.NewPageAsync();
        await tab.RouteAsync(PageUrl, route => route.FulfillAsync(new RouteFulfillOptions { Body = page, ContentType = "text/html; charset=utf-8" }));
        await tab.GotoAsync(PageUrl);
        await tab.EvaluateAsync("([size, lossy]) => start(size, lossy)", new object[] { options.Size, options.Lossy });
        await Task.Delay(TimeSpan.FromSeconds(options.Warmup));

        Counts before = await CountsAsync(tab);
        double cpuBefore = ChromiumCpuSeconds();
        var measured = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(options.Duration));
        double seconds = measured.Elapsed.TotalSeconds;
        double cpu = ChromiumCpuSeconds() - cpuBefore;
        Counts after = await CountsAsync(tab);

        await tab.EvaluateAsync("() => stop()");
        Counts total = after;
        var limit = Stopwatch.StartNew();
        do
        {
            await Task.Delay(500);
            Counts now = await CountsAsync(tab);
            if (now.Received == total.Received) break;
            total = now;
        }
        while (limit.Elapsed < TimeSpan.FromSeconds(10));

        double sent = after.Sent - before.Sent, received = after.Received - before.Received, receivedBytes = after.ReceivedBytes - before.ReceivedBytes;
        var result = new
        {
            target = "data-p2p",
            size = options.Size,
            mode = options.Lossy ? "lossy" : "reliable",
            receivers = 1,
            seconds = Math.Round(seconds, 2),
            sentPerSecond = Math.Round(sent / seconds),
            sentMBPerSecond = Math.Round(sent * options.Size / seconds / MB, 3),
            receivedPerSecondPerReceiver = Math.Round(received / seconds),
            receivedMBPerSecondPerReceiver = Math.Round(receivedBytes / seconds / MB, 3),
            deliveredPerSecond = Math.Round(received / seconds),
            deliveredMBPerSecond = Math.Round(receivedBytes / seconds / MB, 3),
            framesSent = total.Sent,
            framesDelivered = total.Received,
            lossPercent = total.Sent > 0 ? Math.Round(100.0 * Math.Max(0, total.Sent - total.Received) / total.Sent, 3) : double.NaN,
            // Both peers' work (sending and receiving) in the one browser.
            browserCpuSecondsPer1000Delivered = received > 0 ? Math.Round(cpu * 1000 / received, 6) : double.NaN,
            browserCpuSecondsPerDeliveredMB = receivedBytes > 0 ? Math.Round(cpu * MB / receivedBytes, 5) : double.NaN,
            browserCoresUsed = Math.Round(cpu / seconds, 3),
        };
        Console.WriteLine(JsonSerializer.Serialize(result, LoadArguments.Json));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"data-p2p {result.mode} {options.Size} B, Chromium to Chromium: sent {result.sentPerSecond}/s, received {result.receivedPerSecondPerReceiver}/s " +
            $"({result.receivedMBPerSecondPerReceiver} MB/s), loss {result.lossPercent} %; Chromium {result.browserCpuSecondsPer1000Delivered} CPU s per 1,000, " +
            $"{result.browserCpuSecondsPerDeliveredMB} per MB ({result.browserCoresUsed} cores)"));
        return received > 0 ? 0 : 1;
    }

    private sealed record Counts(double Sent, double Received, double ReceivedBytes);

    private static async Task<Counts> CountsAsync(IPage tab)
    {
        double[] values = await tab.EvaluateAsync<double[]>("() => [stats.sent, stats.received, stats.receivedBytes]");
        return new Counts(values[0], values[1], values[2]);
    }

    /// <summary>CPU time of this process's descendants that are Chromium (Playwright's driver, node, left out).</summary>
    private static double ChromiumCpuSeconds() =>
        ProcessStats.Descendants(Environment.ProcessId).Where(p => ProcessStats.Command(p).StartsWith("chrom", StringComparison.Ordinal))
            .Sum(p => ProcessStats.CpuSeconds(p));
}

/// <summary><c>--target data-p2p</c>: message size, lossy or reliable, seconds, and the Chromium to run.</summary>
internal sealed record P2pOptions(int Size, bool Lossy, double Duration, double Warmup, string Chromium);
