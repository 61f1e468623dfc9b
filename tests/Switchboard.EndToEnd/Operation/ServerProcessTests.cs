using System.Globalization;
using System.Net;
using Switchboard.EndToEnd.Infrastructure;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Operation;

/// <summary>
/// The switchboard process as an operator runs it: configuration errors stop the start with the key named,
/// a coturn file configures it, /metrics counts what was relayed, SIGTERM drains.
/// </summary>
public sealed class ServerProcessTests(ITestOutputHelper log)
{
    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static async Task<string> StartFailureAsync(IEnumerable<string> arguments, bool turnSettings = true, string role = "turn")
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var server = await SwitchboardProcess.StartAsync(arguments, turnSettings: turnSettings, role: role);
        });
        Assert.Contains("exited with code 2", error.Message);
        return error.Message;
    }

    [Theory]
    [InlineData("--Turn:MinPort=60000", "--Turn:MaxPort=50000", "Turn:MinPort (60000) is above Turn:MaxPort (50000)")]
    [InlineData("--Turn:Port=70000", null, "Turn:Port (70000) is not a port")]
    [InlineData("--Turn:DeniedPeers:0=10.0.0.1/33", null, "Turn:DeniedPeers[0]")]
    [InlineData("--Turn:Port=abc", null, "'Turn:Port'")]
    [InlineData("--Turn:RelayAddress=relay.example", null, "Turn:RelayAddress ('relay.example') is not an IP address")]
    [InlineData("--Media:ListenAddress=media.example", null, "Media:ListenAddress ('media.example') is not an IP address")]
    [InlineData("--Media:AnnouncedAddresses:0=0.0.0.0", null, "Media:AnnouncedAddresses:0 (0.0.0.0) is the any address")]
    [InlineData("--Media:UdpEnabled=false", "--Media:TcpPort=-1", "no peer could connect")]
    [InlineData("--Media:ConsentTimeout=00:00:00", null, "Media:ConsentTimeout must be longer than zero")]
    [InlineData("--Media:Sfu:MaxPublishersPerRoom=0", null, "Media:Sfu:MaxPublishersPerRoom must be at least 1 (it is 0)")]
    [InlineData("--Media:Sfu:MaxBitratePerParticipant=5000", null, "Media:Sfu:MaxBitratePerParticipant must be at least 100000 bits/s (it is 5000)")]
    [InlineData("--Signaling:DefaultMediaMode=mesh", null, "Signaling:DefaultMediaMode must be 'sfu' or 'p2p' (it is 'mesh')")]
    [InlineData("--Signaling:MaxConnectionsPerAddress=0", null, "Signaling:MaxConnectionsPerAddress must be greater than 0 (it is 0)")]
    [InlineData("--Http:RequestHeadersTimeoutSeconds=0", null, "Http:RequestHeadersTimeoutSeconds must be greater than 0 (it is 0)")]
    [InlineData("--Signaling:ResumeBufferBytes=1000", null, "Signaling:ResumeBufferBytes (1000) must be at least Signaling:MaxMessageBytes (65536)")]
    public async Task InvalidSetting_StopsTheStart_NamingTheKey(string setting, string? other, string expected)
    {
        var message = await StartFailureAsync(other is null ? [setting] : [setting, other], role: "all");
        Assert.Contains(expected, message);
    }

    [Fact]
    public async Task MediaAlone_AnswersEchoOffers_AndRunsNoTurnServer()
    {
        int turnPort = FreePorts.TcpAndUdp();
        await using var server = await SwitchboardProcess.StartAsync([$"--Turn:Port={I(turnPort)}"], turnSettings: false, role: "media");
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        string offer = File.ReadAllText(Path.Combine(RepoLayout.Root, "tests", "Switchboard.Protocols.Tests", "Sdp", "TestData", "chromium-156-offer-no-simulcast.sdp"));
        var response = await http.PostAsync("api/echo", new StringContent(offer, System.Text.Encoding.UTF8, "application/sdp"));
        string answer = await response.Content.ReadAsStringAsync();
        Assert.True(HttpStatusCode.Created == response.StatusCode, answer + server.OutputTail());
        Assert.Contains($" 127.0.0.1 {I(server.MediaUdpPort)} typ host", answer);
        Assert.Equal("ok", await http.GetStringAsync("healthz"));
        Assert.Equal(1, PrometheusText.Value(await http.GetStringAsync("metrics"), "switchboard_media_peers"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("ws")).StatusCode); // no signaling, no web app
        using var probe = new System.Net.Sockets.TcpClient();
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, turnPort)); // no TURN
    }

    [Fact]
    public async Task TurnAlone_WithoutCredentials_RefusesToBeAnOpenRelay()
    {
        var message = await StartFailureAsync(["--Turn:ListenAddresses:0=127.0.0.1", $"--Turn:Port={I(FreePorts.TcpAndUdp())}"], turnSettings: false);
        Assert.Contains("no credentials configured", message);
        Assert.Contains("Turn:NoAuth=true", message);
    }

    [Fact]
    public async Task CoturnConfigFile_ConfiguresTheServer_AndIgnoredKeysAreListed()
    {
        int port = FreePorts.TcpAndUdp();
        var (min, max) = FreePorts.RelayRange();
        using var directory = new TempDirectory("coturn-conf");
        var path = Path.Combine(directory.Path, "turnserver.conf");
        await File.WriteAllTextAsync(path, $"""
            # a coturn configuration as deployments write it
            listening-port={port}
            listening-ip=127.0.0.1
            min-port={min}
            max-port={max}
            realm=example.org
            lt-cred-mech
            user={TurnCredentials.UserName}:{TurnCredentials.Password}
            allow-loopback-peers
            no-tls
            no-dtls
            verbose
            fingerprint
            """);

        await using var server = await SwitchboardProcess.StartAsync(["--coturn-config", path], turnSettings: false);
        var result = await TurnUtils.RunUclientAsync(
            ["-u", TurnCredentials.UserName, "-w", TurnCredentials.Password, "-y", "-m", "2", "-n", "50", "-l", "120", "-p", I(port), "127.0.0.1"]);
        log.WriteLine(result.Describe());
        Assert.True(result.LostPackets == 0 && result.ReceivedMessages == result.SentMessages && result.SentMessages > 0,
            result.Describe() + "\n--- server ---\n" + server.OutputTail());
        Assert.Contains("coturn keys ignored: verbose (line 12), fingerprint (line 13)", server.OutputTail());
    }

    [Fact]
    public async Task Metrics_CountAllocationsAndRelayedPackets()
    {
        await using var server = await SwitchboardProcess.StartAsync();
        var result = await TurnUtils.RunUclientAsync(
            ["-u", TurnCredentials.UserName, "-w", TurnCredentials.Password, "-y", "-m", "2", "-n", "50", "-l", "120", "-p", I(server.Port), server.Host]);
        Assert.True(result.LostPackets == 0, result.Describe());

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(server.HttpBase, "metrics"));
        Assert.True(PrometheusText.Value(metrics, "switchboard_turn_allocations_created_total") >= 4, metrics);
        Assert.True(PrometheusText.Value(metrics, "switchboard_turn_relayed_packets_total", "direction=\"to_peer\"") >= 200, metrics);
        Assert.True(PrometheusText.Value(metrics, "switchboard_turn_relayed_packets_total", "direction=\"to_client\"") >= 200, metrics);
        Assert.Contains("switchboard_turn_allocations_active", metrics);
    }

    [Fact]
    public async Task Sigterm_Drains_RefusingNewAllocations_WhileExistingOnesRunOut()
    {
        await using var server = await SwitchboardProcess.StartAsync(["--Turn:DrainTimeoutSeconds=4"]);
        string[] credentials = ["-u", TurnCredentials.UserName, "-w", TurnCredentials.Password];
        // About 6 s of traffic (300 messages at uclient's 20 ms pace) that is still running when SIGTERM arrives.
        var running = TurnUtils.RunUclientAsync([.. credentials, "-y", "-m", "1", "-n", "300", "-l", "120", "-p", I(server.Port), server.Host]);
        using var http = new HttpClient();
        var health = new Uri(server.HttpBase, "healthz");
        string metrics = "";
        await Eventually(async () =>
        {
            metrics = await http.GetStringAsync(new Uri(server.HttpBase, "metrics"));
            return PrometheusText.Value(metrics, "switchboard_turn_allocations_active") >= 2;
        }, () => metrics);

        server.SendTerminate();
        await Eventually(async () =>
        {
            using var response = await http.GetAsync(health);
            return response.StatusCode == HttpStatusCode.ServiceUnavailable && await response.Content.ReadAsStringAsync() == "draining";
        }, () => server.OutputTail());

        var refused = await TurnUtils.RunUclientAsync([.. credentials, "-y", "-m", "1", "-n", "1", "-p", I(server.Port), server.Host], TimeSpan.FromSeconds(30));
        Assert.Contains("error 508 (Server Draining)", refused.Output);

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(20)), "the server did not stop after the drain timeout\n" + server.OutputTail());
        Assert.Equal(0, server.Process.ExitCode);
        Assert.Contains("TURN draining: no new allocations", server.OutputTail());
        var first = await running;
        log.WriteLine(first.Describe());
        Assert.True(first.ReceivedMessages > 0, "the allocation made before SIGTERM relayed nothing\n" + first.Describe());
    }

    /// <summary>The value of a series in Prometheus text, optionally the one with a given label; -1 when absent.</summary>
    private static async Task Eventually(Func<Task<bool>> condition, Func<string> context)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition()) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        Assert.Fail("condition not met within 15 s\n" + context());
    }
}
