using System.Globalization;
using Switchboard.EndToEnd.Infrastructure;

namespace Switchboard.EndToEnd.Servers;

/// <summary>
/// The real Switchboard server, <c>dotnet switchboard.dll turn ...</c>, as a child process on free loopback ports,
/// with a temp data directory, long-term user alice:secret and the REST secret of <see cref="TurnCredentials"/>.
/// </summary>
public sealed class SwitchboardProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly TempDirectory _dataDirectory;

    private SwitchboardProcess(ChildProcess process, TempDirectory dataDirectory, int httpPort, int port, int tlsPort, (int Min, int Max) relayRange)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        HttpPort = httpPort;
        Port = port;
        TlsPort = tlsPort;
        RelayRange = relayRange;
    }

    /// <summary>Always 127.0.0.1: tests never reach any other address.</summary>
    public string Host => "127.0.0.1";

    public int Port { get; }

    public int TlsPort { get; }

    /// <summary>Port of the HTTP endpoints (health, metrics).</summary>
    public int HttpPort { get; }

    public Uri HttpBase => new($"http://127.0.0.1:{HttpPort}/");

    public (int Min, int Max) RelayRange { get; }

    /// <summary>The media server's UDP and ICE-TCP ports (roles "all" and "media"; 0 otherwise).</summary>
    public int MediaUdpPort { get; private init; }

    public int MediaTcpPort { get; private init; }

    public string DataDirectory => _dataDirectory.Path;

    public ChildProcess Process => _process;

    public bool HasExited => _process.HasExited;

    public string OutputTail(int maxChars = 16_000) => _process.OutputTail(maxChars);

    /// <summary>
    /// Starts the server and waits until <c>GET /healthz</c> answers 200; throws with the server's output if it
    /// does not within <paramref name="healthTimeout"/> (30 s by default) or exits first.
    /// </summary>
    /// <param name="extraArguments">More command-line settings, e.g. <c>--Turn:UserQuota=2</c>; later ones win.</param>
    /// <param name="turnSettings">
    /// False leaves out every --Turn: setting (listen address, ports, credentials, relay range), for tests of what the
    /// server does with its own defaults, a coturn file or no credentials; <see cref="Port"/> and <see cref="TlsPort"/> are then 0.
    /// </param>
    /// <param name="role">"turn" (TURN alone) or "all" (every server: signaling, web app and TURN).</param>
    /// <param name="recordingsDiskBytes">
    /// A small disk for the recordings: the server runs in a mount namespace of its own (util-linux's unshare) where its
    /// recordings directory is a tmpfs of this many bytes, which fills for real (ENOSPC).
    /// </param>
    public static async Task<SwitchboardProcess> StartAsync(IEnumerable<string>? extraArguments = null, TimeSpan? healthTimeout = null, bool turnSettings = true,
        string role = "turn", long? recordingsDiskBytes = null)
    {
        var dll = RepoLayout.ServerDll;
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException(
                $"The server is not built: {dll} is missing. Run: dotnet build Switchboard.slnx -c {RepoLayout.Configuration}", dll);
        }

        var httpPort = FreePorts.TcpAndUdp();
        var port = FreePorts.TcpAndUdp();
        var tlsPort = FreePorts.TcpAndUdp();
        var relay = FreePorts.RelayRange();
        var data = new TempDirectory("switchboard");
        string I(int value) => value.ToString(CultureInfo.InvariantCulture);

        var arguments = new List<string>
        {
            dll,
            role,
            $"--Http:Urls=http://127.0.0.1:{I(httpPort)}",
            $"--Server:DataDirectory={data.Path}",
        };
        string[] turn =
        [
            "--Turn:ListenAddresses:0=127.0.0.1",
            $"--Turn:Port={I(port)}",
            $"--Turn:TlsPort={I(tlsPort)}",
            "--Turn:AllowLoopbackPeers=true",
            $"--Turn:Users:0={TurnCredentials.UserName}:{TurnCredentials.Password}",
            $"--Turn:StaticAuthSecrets:0={TurnCredentials.AuthSecret}",
            $"--Turn:MinPort={I(relay.Min)}",
            $"--Turn:MaxPort={I(relay.Max)}",
        ];
        if (turnSettings) arguments.AddRange(turn);
        else (port, tlsPort) = (0, 0);
        int mediaUdpPort = 0, mediaTcpPort = 0;
        if (role is "all" or "media")
        {
            (mediaUdpPort, mediaTcpPort) = (FreePorts.TcpAndUdp(), FreePorts.TcpAndUdp());
            arguments.AddRange([$"--Media:UdpPort={I(mediaUdpPort)}", $"--Media:TcpPort={I(mediaTcpPort)}"]);
        }
        arguments.AddRange(extraArguments ?? []);

        string command = "dotnet";
        if (recordingsDiskBytes is long size)
        {
            // The script mounts the tmpfs, then becomes the server: the process the test holds is the server's.
            arguments.InsertRange(0, ["--mount", "--map-root-user", "sh", "-c", "mkdir -p \"$1\" && mount -t tmpfs -o size=\"$2\" tmpfs \"$1\" && shift 2 && exec \"$@\"",
                "sh", Path.Combine(data.Path, "recordings"), size.ToString(CultureInfo.InvariantCulture), "dotnet"]);
            command = "unshare";
        }
        var child = ChildProcess.Start(command, arguments, new Dictionary<string, string>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        }, workingDirectory: data.Path);
        var server = new SwitchboardProcess(child, data, httpPort, port, tlsPort, relay) { MediaUdpPort = mediaUdpPort, MediaTcpPort = mediaTcpPort };
        try
        {
            await server.WaitHealthyAsync(healthTimeout ?? TimeSpan.FromSeconds(30));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <c>switchboard token create ARGS</c> against this server's data directory; returns the token it printed.</summary>
    public async Task<string> TokenCreateAsync(params string[] arguments)
    {
        await using var cli = ChildProcess.Start("dotnet", [RepoLayout.ServerDll, "token", "create", .. arguments, $"--Server:DataDirectory={DataDirectory}"]);
        Assert.True(await cli.WaitForExitAsync(TimeSpan.FromSeconds(30)), "token create did not finish");
        Assert.True(cli.ExitCode == 0, $"token create exited with {cli.ExitCode}: {cli.Output}");
        return cli.Output.Trim();
    }

    /// <summary>Sends SIGTERM and waits for the process to exit (for drain tests); returns the exit code.</summary>
    public Task<int> TerminateAsync(TimeSpan timeout) => _process.TerminateAsync(timeout);

    /// <summary>Sends SIGTERM without waiting, so that a test can watch what happens while the server drains.</summary>
    public void SendTerminate() => _process.SendTerminate();

    /// <summary>Waits for the process to exit by itself; false on timeout.</summary>
    public Task<bool> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _dataDirectory.Dispose();
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var url = new Uri(HttpBase, "healthz");
        var deadline = DateTime.UtcNow + timeout;
        string last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(TimeSpan.FromSeconds(5));
                throw new InvalidOperationException(
                    $"The server exited with code {_process.ExitCode} before {url} answered.\n{_process.CommandLine}\nOutput:\n{_process.OutputTail()}");
            }

            try
            {
                using var response = await http.GetAsync(url);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException(
            $"{url} did not answer 200 within {timeout.TotalSeconds:0} s (last: {last}).\n{_process.CommandLine}\nOutput:\n{_process.OutputTail()}");
    }
}
