using System.Text.Json;
using Switchboard.EndToEnd.Infrastructure;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Browser.Media;

/// <summary>
/// Headless Chromium runs the web app's "test my connection" page, which publishes the fake camera and microphone to
/// <c>POST /api/echo</c>: it must decode its own video and audio coming back, growing for more than ten seconds, over
/// DTLS 1.2 with AES-GCM SRTP, over UDP and, when the server offers no UDP, over ICE-TCP.
/// </summary>
public sealed class EchoTests(ITestOutputHelper output)
{
    [Fact]
    public Task EchoOverUdp_DecodesOwnVideoAndAudio() => RunEcho([], "udp");

    [Fact]
    public Task EchoOverIceTcp_WhenUdpIsBlocked_DecodesOwnVideoAndAudio() => RunEcho(["--Media:UdpEnabled=false"], "tcp");

    [Fact]
    public async Task IceRestart_GetsNewServerCredentials_AndTheEchoKeepsDecoding()
    {
        await using var server = await SwitchboardProcess.StartAsync([], role: "all");
        await using var browser = await EchoPage.LaunchAsync();
        var page = await browser.NewPageAsync();
        await EchoPage.StartTestAsync(page, server);
        const string RemoteUfrag = "() => /a=ice-ufrag:(\\S+)/.exec(window.connectionTestPeer.remoteDescription.sdp)[1]";
        string before = await page.EvaluateAsync<string>(RemoteUfrag);
        long pairChanges = (await EchoPage.Snapshot(page)).GetProperty("selectedCandidatePairChanges").GetInt64();

        await page.EvaluateAsync("() => window.connectionTestRestartIce()");
        string after = await page.EvaluateAsync<string>(RemoteUfrag);
        Assert.NotEqual(before, after);
        var restarted = await EchoPage.Snapshot(page);
        await page.WaitForTimeoutAsync(4_000);
        var later = await EchoPage.Snapshot(page);
        output.WriteLine($"ufrag {before} -> {after}\nrestarted: {restarted}\nlater:     {later}");
        Assert.True(later.GetProperty("videoFramesDecoded").GetInt64() >= restarted.GetProperty("videoFramesDecoded").GetInt64() + 40,
            "the echo kept decoding after the ICE restart");
        // The browser selected a new pair: its checks with the new credentials succeeded against the server.
        Assert.True(later.GetProperty("selectedCandidatePairChanges").GetInt64() > pairChanges, "a new candidate pair was selected");
        // The browser's checks now use the new credentials: the server answers them, so consent stays fresh.
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        using var status = JsonDocument.Parse(await http.GetStringAsync(await page.EvaluateAsync<string>("() => window.connectionTest.session")));
        Assert.Equal("connected", status.RootElement.GetProperty("state").GetString());
    }

    private async Task RunEcho(string[] serverArguments, string expectedTransport)
    {
        await using var server = await SwitchboardProcess.StartAsync(serverArguments, role: "all");
        await using var browser = await EchoPage.LaunchAsync();
        var page = await browser.NewPageAsync();
        page.Console += (_, message) => output.WriteLine($"console: {message.Text}");
        try
        {
            var first = await EchoPage.StartTestAsync(page, server);
            await page.WaitForTimeoutAsync(11_000);
            var last = await EchoPage.Snapshot(page);
            output.WriteLine($"first: {first}\nlast:  {last}");

            Assert.Equal(expectedTransport, last.GetProperty("transport").GetString());
            Assert.Equal("FEFD", last.GetProperty("dtlsVersion").GetString()); // DTLS 1.2: a browser dropping its fallback shows here
            Assert.Equal("SRTP_AEAD_AES_128_GCM", last.GetProperty("srtpCipher").GetString());
            Assert.True(last.GetProperty("videoFramesDecoded").GetInt64() >= first.GetProperty("videoFramesDecoded").GetInt64() + 100,
                "the echoed video kept decoding for ten seconds (at least 10 frames a second)");
            Assert.True(last.GetProperty("audioBytesReceived").GetInt64() > first.GetProperty("audioBytesReceived").GetInt64() + 10_000,
                "the echoed audio kept arriving for ten seconds");
            Assert.True(last.GetProperty("frameWidth").GetInt32() > 0);
            // The echo's transport-wide CC feedback drives the browser's bandwidth estimate above its 300 kbit/s start.
            Assert.True(last.GetProperty("availableOutgoingBitrate").GetDouble() > 500_000, "the browser's upload estimate ramped up");
            Assert.Contains("your video and audio came back", await page.TextContentAsync("#verdict") ?? "");
            Assert.Equal(expectedTransport.ToUpperInvariant(), (await page.TextContentAsync("#r-transport"))?.Split(' ')[0]);

            // The server's own view of the session agrees: connected over the same transport, packets echoed.
            string session = await page.EvaluateAsync<string>("() => window.connectionTest.session");
            using var http = new HttpClient { BaseAddress = server.HttpBase };
            using var status = JsonDocument.Parse(await http.GetStringAsync(session));
            output.WriteLine(status.RootElement.ToString());
            Assert.Equal("connected", status.RootElement.GetProperty("state").GetString());
            Assert.StartsWith(expectedTransport, status.RootElement.GetProperty("path").GetString());
            Assert.Equal("AeadAes128Gcm", status.RootElement.GetProperty("srtpProfile").GetString());
            Assert.True(status.RootElement.GetProperty("packetsEchoed").GetInt64() > 500);
            Assert.True(status.RootElement.GetProperty("roundTripMillis").GetDouble() >= 0, "RTT from the browser's RTCP reports");

            var metrics = await http.GetStringAsync("metrics");
            Assert.True(PrometheusText.Value(metrics, "switchboard_media_packets_received_total") > 500, metrics);
            Assert.True(PrometheusText.Value(metrics, "switchboard_media_sent_bytes_total") > 100_000, metrics);
            Assert.Equal(0, PrometheusText.Value(metrics, "switchboard_media_packets_discarded_total"));
            Assert.True(PrometheusText.Value(metrics, "switchboard_media_round_trip_time_average_seconds") >= 0, metrics);
        }
        catch
        {
            output.WriteLine(server.OutputTail());
            throw;
        }
    }
}
