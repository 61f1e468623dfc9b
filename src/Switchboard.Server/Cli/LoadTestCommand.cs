using System.Diagnostics;
using System.Globalization;

namespace Switchboard.Server.Cli;

/// <summary>
/// <c>switchboard load-test signaling|sfu|turn</c>: runs one of the project's load tools against a server (the tool's
/// own report is printed as it comes), while reading the server's overview with an admin token, and ends with what the
/// server went through meanwhile (<see cref="LoadWatch"/>). Exit codes: the tool's; 1 when a tool cannot be found or
/// started, 2 for a usage error.
/// </summary>
public static class LoadTestCommand
{
    public const string Usage = """
        Usage: switchboard load-test signaling [--clients 200] [--room-size 4]
               switchboard load-test sfu [--publishers 2] [--subscribers 8]
               switchboard load-test turn (--turn-user U --turn-password P | --turn-secret S) [--clients 10] [--turn-port 3478]

          --duration S    seconds of measured load (default 10)
          --url URL       the server (default: $SWITCHBOARD_URL, else http://127.0.0.1:8080); TURN on its host
          --token TOKEN   an access token with the admin grant, for the server's side of the run (default:
                          $SWITCHBOARD_TOKEN, else one signed with this machine's API key)
          --Section:Key=value   settings for finding the API key (e.g. --Server:DataDirectory=/var/lib/switchboard)

        signaling: WebSocket clients in rooms relaying offer- and candidate-sized messages (anonymous joins), as fast as
          the server relays them: a server keeping its per-connection limit (Signaling:MessagesPerSecond) refuses most
          (the tool counts them as rate-limited errors), so raise it on the server under test;
        sfu: synthetic WebRTC publishers (audio and 1 Mbit/s video) and subscribers in one room (anonymous joins);
        turn: coturn's turnutils_uclient, client pairs relaying 120-byte messages every 20 ms.
        The signaling and SFU tools are built with the solution (dotnet build Switchboard.slnx -c Release, from a clone
        of the repository; $SWITCHBOARD_BENCH names their bench folder); turnutils_uclient comes with Debian's coturn.
        """;

    public static async Task<int> RunAsync(string[] args, TimeProvider time, TextWriter output, TextWriter errors)
    {
        LoadTestRequest request;
        ProcessStartInfo tool;
        try
        {
            request = LoadTestRequest.Parse(args);
            tool = LoadTools.StartInfo(request);
        }
        catch (FormatException e)
        {
            await errors.WriteLineAsync(e.Message);
            await errors.WriteLineAsync(Usage);
            return 2;
        }
        catch (FileNotFoundException e)
        {
            await errors.WriteLineAsync(e.Message);
            return 1;
        }

        using HttpClient? http = await AdminCommand.ClientAsync(request.Server, request.Token, request.Settings, time, errors,
            TimeSpan.FromSeconds(request.Duration + 600));
        if (http is null) return 2;
        await output.WriteLineAsync($"load-test {request.Kind}: {tool.FileName} {string.Join(' ', tool.ArgumentList)}");
        await output.FlushAsync();

        var watch = new LoadWatch(http);
        using var stopWatching = new CancellationTokenSource();
        Task watching = watch.RunAsync(stopWatching.Token);
        int exitCode;
        try
        {
            using Process process = Process.Start(tool) ?? throw new InvalidOperationException("no process");
            await process.WaitForExitAsync();
            exitCode = process.ExitCode;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            await errors.WriteLineAsync($"Cannot start {tool.FileName}: {e.Message}");
            return 1;
        }
        finally
        {
            await stopWatching.CancelAsync();
            await watching;
        }
        await output.WriteLineAsync(watch.Summary());
        return exitCode;
    }
}

/// <summary>One <c>load-test</c> command, parsed.</summary>
internal sealed record LoadTestRequest(string Kind, Uri Server, string? Token, double Duration, string[] Settings)
{
    public int Clients { get; init; }
    public int RoomSize { get; init; } = 4;
    public int Publishers { get; init; } = 2;
    public int Subscribers { get; init; } = 8;
    public int TurnPort { get; init; } = 3478;
    public string? TurnUser { get; init; }
    public string? TurnPassword { get; init; }
    public string? TurnSecret { get; init; }

    public static LoadTestRequest Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("signaling" or "sfu" or "turn")) throw new FormatException("load-test needs what to load: signaling, sfu or turn.");
        string kind = args[0];
        var settings = new List<string>();
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        string? url = null, token = null, user = null, password = null, secret = null;
        double duration = 10;
        for (int i = 1; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{name} needs a value.");
            switch (name)
            {
                case "--url": url = Value(); break;
                case "--token": token = Value(); break;
                case "--turn-user": user = Value(); break;
                case "--turn-password": password = Value(); break;
                case "--turn-secret": secret = Value(); break;
                case "--duration":
                    duration = double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d is > 0 and <= 86_400
                        ? d : throw new FormatException("--duration is a number of seconds, up to a day.");
                    break;
                case "--clients" or "--room-size" or "--publishers" or "--subscribers" or "--turn-port":
                    numbers[name[2..]] = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is > 0 and <= 100_000
                        ? n : throw new FormatException($"{name} is a number from 1 to 100000.");
                    break;
                default:
                    if (name.StartsWith("--", StringComparison.Ordinal) && name.Contains(':')) settings.Add(name);
                    else throw new FormatException($"Unknown option '{name}'.");
                    break;
            }
        }
        Uri server = AdminRequest.ServerOf(url);
        if (kind == "turn" && secret is null && (user is null || password is null))
            throw new FormatException("load-test turn needs --turn-user and --turn-password, or --turn-secret (the TURN REST secret).");
        int Number(string name, int fallback) => numbers.GetValueOrDefault(name, fallback);
        return new LoadTestRequest(kind, server, token, duration, [.. settings])
        {
            Clients = Number("clients", kind == "turn" ? 10 : 200),
            RoomSize = Number("room-size", 4),
            Publishers = Number("publishers", 2),
            Subscribers = Number("subscribers", 8),
            TurnPort = Number("turn-port", 3478),
            TurnUser = user,
            TurnPassword = password,
            TurnSecret = secret,
        };
    }
}
