using System.Globalization;
using Switchboard.EndToEnd.Infrastructure;

namespace Switchboard.EndToEnd.Servers;

/// <summary>Which authentication a coturn instance runs: coturn cannot take static users and a REST secret at once.</summary>
public enum CoturnAuth
{
    /// <summary><c>--lt-cred-mech --user alice:secret</c>.</summary>
    LongTermCredentials,

    /// <summary><c>--use-auth-secret --static-auth-secret ...</c> (TURN REST API credentials).</summary>
    RestSecret,
}

/// <summary>
/// coturn's <c>turnserver</c> (the reference TURN server) as a child process on free loopback ports, with the same
/// realm, users, secret and peer policy as <see cref="SwitchboardProcess"/>, and a self-signed certificate for TLS and DTLS.
/// </summary>
public sealed class CoturnProcess : ITurnServer, IAsyncDisposable
{
    private readonly ChildProcess process;
    private readonly TempDirectory directory;

    private CoturnProcess(ChildProcess process, TempDirectory directory, int port, int tlsPort, (int Min, int Max) relayRange, string certificatePath)
    {
        this.process = process;
        this.directory = directory;
        Port = port;
        TlsPort = tlsPort;
        RelayRange = relayRange;
        CertificatePath = certificatePath;
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    public int TlsPort { get; }

    public (int Min, int Max) RelayRange { get; }

    public string CertificatePath { get; }

    public string OutputTail(int maxChars = 16_000) => process.OutputTail(maxChars);

    /// <summary>Starts turnserver and waits until it answers a STUN Binding over UDP and accepts TCP on both ports.</summary>
    public static async Task<CoturnProcess> StartAsync(CoturnAuth auth, IEnumerable<string>? extraArguments = null)
    {
        var port = FreePorts.TcpAndUdp();
        var tlsPort = FreePorts.TcpAndUdp();
        var relay = FreePorts.RelayRange();
        var directory = new TempDirectory("coturn");
        var (certificate, key) = TestCertificate.WriteSelfSigned(directory.Path);
        string I(int value) => value.ToString(CultureInfo.InvariantCulture);

        var arguments = new List<string>
        {
            "-n", // no configuration file
            "--no-cli",
            "--listening-ip", "127.0.0.1",
            "--relay-ip", "127.0.0.1",
            "--listening-port", I(port),
            "--tls-listening-port", I(tlsPort),
            "--min-port", I(relay.Min),
            "--max-port", I(relay.Max),
            "--realm", TurnCredentials.Realm,
            "--allow-loopback-peers",
            "--cert", certificate,
            "--pkey", key,
            "--log-file", "stdout",
            "--simple-log",
            "--pidfile", Path.Combine(directory.Path, "turnserver.pid"),
            "--db", Path.Combine(directory.Path, "turndb"),
        };
        arguments.AddRange(auth switch
        {
            CoturnAuth.LongTermCredentials => ["--lt-cred-mech", "--user", $"{TurnCredentials.UserName}:{TurnCredentials.Password}"],
            CoturnAuth.RestSecret => ["--use-auth-secret", "--static-auth-secret", TurnCredentials.AuthSecret],
            _ => throw new ArgumentOutOfRangeException(nameof(auth)),
        });
        arguments.AddRange(extraArguments ?? []);

        var child = ChildProcess.Start("turnserver", arguments, workingDirectory: directory.Path);
        var server = new CoturnProcess(child, directory, port, tlsPort, relay, certificate);
        try
        {
            await server.WaitReadyAsync(TimeSpan.FromSeconds(20));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await process.DisposeAsync();
        directory.Dispose();
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(TimeSpan.FromSeconds(5));
                throw new InvalidOperationException(
                    $"turnserver exited with code {process.ExitCode} during start.\n{process.CommandLine}\nOutput:\n{process.OutputTail()}");
            }

            if (await Probe.StunBindingAnswersAsync(Port, TimeSpan.FromMilliseconds(300))
                && await Probe.TcpAcceptsAsync(Port, TimeSpan.FromMilliseconds(300))
                && await Probe.TcpAcceptsAsync(TlsPort, TimeSpan.FromMilliseconds(300)))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"turnserver did not answer within {timeout.TotalSeconds:0} s.\n{process.CommandLine}\nOutput:\n{process.OutputTail()}");
    }
}
