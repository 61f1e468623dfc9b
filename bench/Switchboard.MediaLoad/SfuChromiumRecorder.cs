using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;
using Switchboard.Bench;

namespace Switchboard.MediaLoad;

/// <summary>
/// <c>--target sfu --chromium-recorder PATH</c>: what a browser-based recorder (LiveKit Egress, Jitsi's Jibri) runs per
/// recording, without its encoder: one headless Chromium (the Debian package's; none is downloaded) opens the web
/// app's room page <c>/room/{room}?name=recorder</c>, joins (anonymous joins must be on) and receives, decodes and
/// plays every track of the room. It has no camera or microphone (no fake devices), so the page joins without
/// publishing. The CPU of every Chromium process (browser, renderer, network, GPU) is measured over the same window as
/// the server's; the page's own <c>getStats</c> says how many frames it decoded.
/// </summary>
internal sealed class SfuChromiumRecorder : IAsyncDisposable
{
    private static readonly string[] ChromiumArguments =
    [
        "--no-sandbox", "--allow-loopback-in-peer-connection", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-gpu", "--autoplay-policy=no-user-gesture-required",
        // Chromium gathers candidates on interfaces other than the default route's only for a page that has been granted
        // the camera, and loopback-run's namespace has no default route: the fake devices give the grant (see StartAsync).
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--disable-features=WebRtcHideLocalIpsWithMdns",
    ];

    /// <summary>Sums of the page's inbound streams (<c>room.pc.getStats()</c>).</summary>
    private const string InboundScript = """
        async () => {
          const room = window.switchboard?.room;
          const out = { videos: 0, decodingVideos: 0, audios: 0, framesDecoded: 0, framesDropped: 0, bytesReceived: 0, pliSent: 0, keyFramesDecoded: 0, published: 0 };
          if (!room?.pc) return out;
          (await room.pc.getStats()).forEach(s => {
            if (s.type === 'outbound-rtp') out.published++;
            if (s.type !== 'inbound-rtp') return;
            out.bytesReceived += s.bytesReceived ?? 0;
            if (s.kind === 'video') {
              out.videos++;
              if ((s.framesDecoded ?? 0) > 0) out.decodingVideos++;
              out.framesDecoded += s.framesDecoded ?? 0;
              out.framesDropped += s.framesDropped ?? 0;
              out.keyFramesDecoded += s.keyFramesDecoded ?? 0;
              out.pliSent += s.pliCount ?? 0;
            } else if ((s.bytesReceived ?? 0) > 0) out.audios++;
          });
          return out;
        }
        """;

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly IPage _page;
    private Inbound? _before;
    private double _cpuBefore;
    private readonly Stopwatch _window = new();

    private SfuChromiumRecorder(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        _page = page;
    }

    /// <summary>Starts Chromium on the room page and waits (up to <paramref name="limit"/>) until it decodes <paramref name="videos"/> videos.</summary>
    public static async Task<SfuChromiumRecorder> StartAsync(string chromium, Uri url, string room, int videos, TimeSpan limit)
    {
        IPlaywright playwright = await Playwright.CreateAsync();
        IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Args = ChromiumArguments, Headless = true });
        IPage page = await browser.NewPageAsync();
        // A recorder publishes nothing: the camera is opened once and closed (the grant that lets Chromium gather
        // candidates on loopback), then the page's own getUserMedia fails and it joins to receive only.
        await page.AddInitScriptAsync("""
            {
              const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
              navigator.mediaDevices.getUserMedia = async () => {
                (await real({ audio: true, video: true })).getTracks().forEach(t => t.stop());
                throw new DOMException('recorder', 'NotAllowedError');
              };
            }
            """);
        var console = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Console += (_, message) => console.Enqueue($"{message.Type}: {message.Text}");
        var recorder = new SfuChromiumRecorder(playwright, browser, page);
        await page.GotoAsync(new Uri(url, $"room/{Uri.EscapeDataString(room)}?name=recorder").ToString());
        var waiting = Stopwatch.StartNew();
        Inbound now;
        do
        {
            await Task.Delay(500);
            now = await recorder.ReadAsync();
        }
        while (now.DecodingVideos < videos && waiting.Elapsed < limit);
        recorder.SecondsToDecode = Math.Round(waiting.Elapsed.TotalSeconds, 1);
        if (now.DecodingVideos < videos)
            Console.Error.WriteLine($"chromium recorder: {now.DecodingVideos} of {videos} videos decoding after {limit.TotalSeconds} s; " +
                $"peer connection: {await page.EvaluateAsync<string>("async () => { const pc = window.switchboard?.room?.pc; if (!pc) return 'none'; const types = {}; (await pc.getStats()).forEach(s => types[s.type] = (types[s.type] ?? 0) + 1); return pc.connectionState + ' ' + JSON.stringify(types); }")}; " +
                $"notice: {await page.EvaluateAsync<string>("() => document.getElementById('notice')?.textContent ?? ''")}; " +
                $"events: {await page.EvaluateAsync<string>("() => JSON.stringify((window.switchboard?.events ?? []).filter(e => e.type !== 'participant-joined' && e.type !== 'tracks').slice(-12))")}; console: {string.Join(" | ", console)}");
        return recorder;
    }

    /// <summary>From the page's load to every video decoding (or the limit).</summary>
    public double SecondsToDecode { get; private set; }

    public async Task BeginWindowAsync()
    {
        _before = await ReadAsync();
        _cpuBefore = CpuSeconds();
        _window.Restart();
    }

    public async Task<object> EndWindowAsync()
    {
        double cpu = CpuSeconds() - _cpuBefore, seconds = _window.Elapsed.TotalSeconds;
        Inbound after = await ReadAsync(), before = _before!;
        return new
        {
            seconds = Math.Round(seconds, 2),
            coresUsed = Math.Round(cpu / seconds, 3),
            processes = ChromiumProcesses().Count,
            secondsToDecode = SecondsToDecode,
            videos = after.Videos,
            decodingVideos = after.DecodingVideos,
            audios = after.Audios,
            published = after.Published,
            framesDecodedPerSecond = Math.Round((after.FramesDecoded - before.FramesDecoded) / seconds, 1),
            framesDroppedPerSecond = Math.Round((after.FramesDropped - before.FramesDropped) / seconds, 1),
            keyFramesDecoded = after.KeyFramesDecoded - before.KeyFramesDecoded,
            pliSent = after.PliSent - before.PliSent,
            receivedKbps = Math.Round((after.BytesReceived - before.BytesReceived) * 8 / seconds / 1000),
        };
    }

    private async Task<Inbound> ReadAsync() =>
        (await _page.EvaluateAsync<JsonElement>(InboundScript)).Deserialize<Inbound>(JsonSerializerOptions.Web)!;

    private sealed record Inbound(int Videos, int DecodingVideos, int Audios, double FramesDecoded, double FramesDropped, double BytesReceived,
        double PliSent, double KeyFramesDecoded, int Published);

    /// <summary>This process's descendants that are Chromium (Playwright's driver, node, left out).</summary>
    private static List<int> ChromiumProcesses() =>
        [.. ProcessStats.Descendants(Environment.ProcessId).Where(p => ProcessStats.Command(p).StartsWith("chrom", StringComparison.Ordinal))];

    private static double CpuSeconds() => ChromiumProcesses().Sum(p => ProcessStats.CpuSeconds(p));

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
