namespace Switchboard.Server;

/// <summary>Which servers to run, as the first command-line word says.</summary>
public enum ServerRole
{
    /// <summary>Everything in one process (the default).</summary>
    All,

    /// <summary>STUN/TURN alone, with /metrics and /healthz, to run near users.</summary>
    Turn,

    /// <summary>The media server alone (WebRTC transport, /api/echo), with /metrics and /healthz, to run near users.</summary>
    Media,
}

/// <summary>
/// The command line: <c>switchboard [all|turn|media] [--coturn-config FILE] [--Section:Key=value ...]</c>.
/// Everything after the role and the coturn file goes to the configuration system as it is.
/// </summary>
public sealed record CommandLine(ServerRole Role, string? CoturnConfigPath, string[] ConfigurationArgs, bool ShowHelp)
{
    public const string Usage = """
        Usage: switchboard [all|turn|media] [--coturn-config FILE] [--Section:Key=value ...]
               switchboard token create --identity ID --room ROOM [--admin] [--ttl 6h]   (prints an access token)
               switchboard rooms list|create NAME|delete NAME [--url URL] [--token T] [--json]
               switchboard participants list ROOM|remove ROOM ID [--url URL] [--token T] [--json]
               switchboard stats [--once] [--url URL] [--token T]   (the server's numbers, a line a second)
               switchboard load-test signaling|sfu|turn [--duration S] [--url URL] [--token T]   (load a server; --help for more)

          all                   run every server (default)
          turn                  run only STUN/TURN (plus /metrics and /healthz on Http:Urls)
          media                 run only the media server: UDP/ICE-TCP media ports and /api/echo
                                (plus /metrics and /healthz on Http:Urls)
          --coturn-config FILE  read a coturn turnserver.conf; its keys map to Turn:* settings,
                                and the keys it cannot map are listed at start
          --Turn:Realm=example.org   any setting, as in appsettings.json (see docs/configuration.md)
        """;

    public static CommandLine Parse(string[] args)
    {
        var role = ServerRole.All;
        string? coturn = null;
        bool help = false;
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (i == 0 && arg.Equals("turn", StringComparison.OrdinalIgnoreCase)) role = ServerRole.Turn;
            else if (i == 0 && arg.Equals("all", StringComparison.OrdinalIgnoreCase)) role = ServerRole.All;
            else if (i == 0 && arg.Equals("media", StringComparison.OrdinalIgnoreCase)) role = ServerRole.Media;
            else if (arg is "-h" or "--help" or "help") help = true;
            else if (arg == "--coturn-config" && i + 1 < args.Length) coturn = args[++i];
            else if (arg.StartsWith("--coturn-config=", StringComparison.Ordinal)) coturn = arg["--coturn-config=".Length..];
            else if (i == 0 && !arg.StartsWith('-')) throw new ArgumentException($"Unknown command '{arg}'.\n{Usage}");
            else rest.Add(arg);
        }
        return new CommandLine(role, coturn, [.. rest], help);
    }
}
