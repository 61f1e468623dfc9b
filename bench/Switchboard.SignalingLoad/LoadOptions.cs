using System.Globalization;

namespace Switchboard.SignalingLoad;

/// <summary>Command-line options: --name value pairs (see Usage).</summary>
public sealed record LoadOptions(string Target, Uri Url, int Clients, int RoomSize, int TokensPerRoom, double Seconds, double WarmupSeconds,
    int OfferBytes, int CandidateBytes, int ConnectConcurrency, int? ServerPid)
{
    public const string Usage = """
        Usage: Switchboard.SignalingLoad --target switchboard|peerjs --url ws://127.0.0.1:8080/ws [options]
          --clients N            WebSocket clients (default 1000)
          --room-size K          clients per room (default 4)
          --tokens-per-room T    messages circulating per room, closed loop (default: K)
          --duration S           measured seconds (default 10), after --warmup S (default 3)
          --offer-bytes B        size of an offer's SDP (default 3000); every 5th message is an offer
          --candidate-bytes B    size of a candidate (default 250)
          --connect-concurrency C  connections opened at once (default 200)
          --server-pid PID       read the server's memory from /proc/PID/status
        """;

    public static LoadOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new FormatException($"Unexpected '{args[i]}'.\n{Usage}");
            values[args[i][2..]] = args[i + 1];
        }
        if (args.Length % 2 != 0) throw new FormatException($"'{args[^1]}' needs a value.\n{Usage}");
        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        double Double(string name, double fallback) => values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var target = values.GetValueOrDefault("target") ?? throw new FormatException($"--target is required.\n{Usage}");
        if (target is not ("switchboard" or "peerjs")) throw new FormatException("--target is switchboard or peerjs.");
        var url = new Uri(values.GetValueOrDefault("url") ?? throw new FormatException($"--url is required.\n{Usage}"));
        int roomSize = Int("room-size", 4);
        return new LoadOptions(target, url, Int("clients", 1000), roomSize, Int("tokens-per-room", roomSize), Double("duration", 10), Double("warmup", 3),
            Int("offer-bytes", 3000), Int("candidate-bytes", 250), Int("connect-concurrency", 200),
            values.TryGetValue("server-pid", out var pid) ? int.Parse(pid, CultureInfo.InvariantCulture) : null);
    }
}
