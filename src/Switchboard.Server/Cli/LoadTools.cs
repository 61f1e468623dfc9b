using System.Diagnostics;
using System.Globalization;

namespace Switchboard.Server.Cli;

/// <summary>
/// Where <c>load-test</c>'s tools are and how each is called: the project's signaling and media load tools (built from
/// bench/ with the solution) and coturn's turnutils_uclient (on the PATH).
/// </summary>
internal static class LoadTools
{
    public static ProcessStartInfo StartInfo(LoadTestRequest request)
    {
        string I(double value) => value.ToString(CultureInfo.InvariantCulture);
        Uri server = request.Server;
        ProcessStartInfo start;
        switch (request.Kind)
        {
            case "signaling":
                start = Dotnet("Switchboard.SignalingLoad");
                var ws = new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws", Path = "/ws" }.Uri;
                Add(start, "--target", "switchboard", "--url", ws.ToString(), "--clients", I(request.Clients), "--room-size", I(request.RoomSize),
                    "--duration", I(request.Duration), "--warmup", "1");
                break;
            case "sfu":
                start = Dotnet("Switchboard.MediaLoad");
                Add(start, "--target", "sfu", "--url", server.GetLeftPart(UriPartial.Authority), "--publishers", I(request.Publishers),
                    "--subscribers", I(request.Subscribers), "--duration", I(request.Duration), "--warmup", "2");
                break;
            default:
                start = new ProcessStartInfo(OnPath("turnutils_uclient"));
                if (request.TurnSecret is { } secret) Add(start, "-W", secret);
                else Add(start, "-u", request.TurnUser!, "-w", request.TurnPassword!);
                // One message every 20 ms (uclient's pace) per client for the duration.
                Add(start, "-y", "-m", I(request.Clients), "-n", I(Math.Max(1, Math.Round(request.Duration * 50))), "-l", "120", "-p", I(request.TurnPort), server.Host);
                break;
        }
        start.UseShellExecute = false;
        return start;
    }

    private static void Add(ProcessStartInfo start, params string[] arguments)
    {
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
    }

    /// <summary>dotnet running a bench tool's build (Release, else Debug) from $SWITCHBOARD_BENCH or the repository this program was built in.</summary>
    private static ProcessStartInfo Dotnet(string tool)
    {
        string? bench = Environment.GetEnvironmentVariable("SWITCHBOARD_BENCH") ?? RepositoryBench();
        foreach (string configuration in (string[])["Release", "Debug"])
        {
            string dll = Path.Combine(bench ?? "", tool, "bin", configuration, "net10.0", tool + ".dll");
            if (bench is not null && File.Exists(dll))
            {
                var start = new ProcessStartInfo("dotnet");
                start.ArgumentList.Add(dll);
                return start;
            }
        }
        throw new FileNotFoundException($"The load tool {tool} is not built{(bench is null ? "" : $" in {bench}")}: from a clone of the repository, run dotnet build Switchboard.slnx -c Release (or set SWITCHBOARD_BENCH to its bench folder).");
    }

    /// <summary>The bench folder of the checkout this program runs from (src/Switchboard.Server/bin/...), if it does.</summary>
    private static string? RepositoryBench()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Switchboard.slnx"))) return Path.Combine(directory.FullName, "bench");
        return null;
    }

    private static string OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException($"{program} is not installed: it comes with Debian's coturn package (apt install coturn).");
}
