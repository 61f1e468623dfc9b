using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Browser;

/// <summary>
/// Chromium (libwebrtc) sends its fake camera from one RTCPeerConnection to another in the same page, with
/// <c>iceTransportPolicy: 'relay'</c> and the server under test as the only ICE server: media flows only if the
/// server relays it.
/// </summary>
public sealed class BrowserRelayTests(SwitchboardFixture fixture, BrowserFixture browser, ITestOutputHelper log)
    : IClassFixture<SwitchboardFixture>, IClassFixture<BrowserFixture>
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan GrowthWindow = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task VideoFlowsThroughTurnOverUdp()
    {
        var server = fixture.Server;
        await CallAsync(server, $"turn:127.0.0.1:{Port(server.Port)}?transport=udp", expectedRelayProtocol: "udp");
    }

    [Fact]
    public async Task VideoFlowsThroughTurnOverTcp()
    {
        var server = fixture.Server;
        await CallAsync(server, $"turn:127.0.0.1:{Port(server.Port)}?transport=tcp", expectedRelayProtocol: "tcp");
    }

    /// <summary>TURN over TLS to a self-signed certificate; needs --ignore-certificate-errors (see <see cref="BrowserFixture.ChromiumArguments"/>).</summary>
    [Fact]
    public async Task VideoFlowsThroughTurnOverTls()
    {
        var server = fixture.Server;
        await CallAsync(server, $"turns:127.0.0.1:{Port(server.TlsPort)}?transport=tcp", expectedRelayProtocol: "tls");
    }

    private async Task CallAsync(SwitchboardProcess server, string url, string expectedRelayProtocol)
    {
        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var console = new List<string>();
        page.Console += (_, message) => console.Add($"console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => console.Add($"page error: {error}");
        await page.GotoAsync(browser.RelayPage.ToString());
        await page.EvaluateAsync(
            "server => startCall(server)",
            new Dictionary<string, string>
            {
                ["urls"] = url,
                ["username"] = TurnCredentials.UserName,
                ["credential"] = TurnCredentials.Password,
            });

        var first = await WaitForFramesAsync(page, server, url, console);
        await Task.Delay(GrowthWindow);
        var second = await ReportAsync(page);
        log.WriteLine($"{url}\nfirst decoded frames: {first.Json}\nafter {GrowthWindow.TotalSeconds:0} s: {second.Json}");

        var context2 = Describe(url, second, server, console);
        Assert.True(second.FramesDecoded > first.FramesDecoded,
            $"framesDecoded did not grow over {GrowthWindow.TotalSeconds:0} s ({first.FramesDecoded} -> {second.FramesDecoded}).\n{context2}");
        Assert.True(second.BytesReceived > first.BytesReceived, $"bytesReceived did not grow.\n{context2}");
        foreach (var side in new[] { "senderPair", "receiverPair" })
        {
            var pair = second.Root.GetProperty(side);
            Assert.True(pair.ValueKind == JsonValueKind.Object, $"{side}: no selected candidate pair.\n{context2}");
            Assert.Equal("relay", pair.GetProperty("localCandidateType").GetString());
            Assert.Equal("relay", pair.GetProperty("remoteCandidateType").GetString());
            Assert.Equal(expectedRelayProtocol, pair.GetProperty("localRelayProtocol").GetString());
        }
    }

    private static async Task<Report> WaitForFramesAsync(IPage page, SwitchboardProcess server, string url, List<string> console)
    {
        var deadline = DateTime.UtcNow + ConnectTimeout;
        Report report;
        do
        {
            await Task.Delay(500);
            report = await ReportAsync(page);
            if (report.FramesDecoded > 0)
            {
                return report;
            }
        }
        while (DateTime.UtcNow < deadline);

        throw new TimeoutException($"No video frame was decoded within {ConnectTimeout.TotalSeconds:0} s.\n{Describe(url, report, server, console)}");
    }

    private static async Task<Report> ReportAsync(IPage page)
    {
        var json = await page.EvaluateAsync<string>("() => report()");
        return new Report(json);
    }

    private static string Describe(string url, Report report, SwitchboardProcess server, List<string> console) =>
        $"ICE server {url}\npage report: {report.Json}\n{string.Join('\n', console)}\n--- server output ---\n{server.OutputTail(8000)}";

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private sealed class Report
    {
        public Report(string json)
        {
            Json = json;
            Root = JsonDocument.Parse(json).RootElement.Clone();
            FramesDecoded = Root.GetProperty("framesDecoded").GetInt64();
            BytesReceived = Root.GetProperty("bytesReceived").GetInt64();
        }

        public string Json { get; }

        public JsonElement Root { get; }

        public long FramesDecoded { get; }

        public long BytesReceived { get; }
    }
}
