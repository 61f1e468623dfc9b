using System.Globalization;
using System.Text.Json;

namespace Switchboard.Server.Cli;

/// <summary>One command of <see cref="AdminCommand"/>, parsed: the REST call it makes and how its answer is shown.</summary>
internal sealed record AdminRequest(string Noun, string Verb, string[] Operands, Uri Server, string? Token, bool AsJson, string[] Settings)
{
    public int? MaxParticipants { get; init; }
    public string? Media { get; init; }
    public bool Record { get; init; }

    /// <summary><c>stats --once</c>: one line, then exit.</summary>
    public bool Once { get; init; }

    public static AdminRequest Parse(string[] args)
    {
        var words = new List<string>();
        var settings = new List<string>();
        string? url = null, token = null, media = null;
        int? max = null;
        bool json = false, record = false, once = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--url": url = Value(); break;
                case "--token": token = Value(); break;
                case "--json": json = true; break;
                case "--record": record = true; break;
                case "--once": once = true; break;
                case "--media":
                    media = Value();
                    if (media is not ("sfu" or "p2p")) throw new FormatException("--media is sfu or p2p.");
                    break;
                case "--max-participants":
                    max = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new FormatException("--max-participants is a positive number.");
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i].Contains(':')) settings.Add(args[i]);
                    else if (args[i].StartsWith('-')) throw new FormatException($"Unknown option '{args[i]}'.");
                    else words.Add(args[i]);
                    break;
            }
        }
        Uri server = ServerOf(url);
        if (words is ["stats"]) return new AdminRequest("stats", "", [], server, token, json, [.. settings]) { Once = once };
        if (once) throw new FormatException("--once is for 'stats'.");
        int operands = (words.ElementAtOrDefault(0), words.ElementAtOrDefault(1)) switch
        {
            ("rooms", "list") => 0,
            ("rooms", "create" or "delete") => 1,
            ("participants", "list") => 1,
            ("participants", "remove") => 2,
            _ => throw new FormatException($"Unknown command '{string.Join(' ', words.Take(2))}'."),
        };
        if (words.Count != 2 + operands) throw new FormatException($"'{words[0]} {words[1]}' takes {operands} operand{(operands == 1 ? "" : "s")}.");
        if ((max is not null || media is not null || record) && words[1] != "create") throw new FormatException("--max-participants, --media and --record are for 'rooms create'.");
        return new AdminRequest(words[0], words[1], [.. words.Skip(2)], server, token, json, [.. settings]) { MaxParticipants = max, Media = media, Record = record };
    }

    /// <summary>The server of --url, else $SWITCHBOARD_URL, else http://127.0.0.1:8080 (with a trailing slash, as a base address).</summary>
    public static Uri ServerOf(string? url)
    {
        url ??= Environment.GetEnvironmentVariable("SWITCHBOARD_URL") ?? "http://127.0.0.1:8080";
        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out Uri? server) || server.Scheme is not ("http" or "https"))
            throw new FormatException($"--url '{url}' is not an http or https URL.");
        return server;
    }

    public Task<HttpResponseMessage> SendAsync(HttpClient http) => (Noun, Verb) switch
    {
        ("rooms", "list") => http.GetAsync("api/rooms"),
        ("rooms", "create") => http.PostAsJsonAsync("api/rooms", new { name = Operands[0], maxParticipants = MaxParticipants, media = Media, record = Record }),
        ("rooms", "delete") => http.DeleteAsync($"api/rooms/{Uri.EscapeDataString(Operands[0])}"),
        ("participants", "list") => http.GetAsync($"api/rooms/{Uri.EscapeDataString(Operands[0])}/participants"),
        _ => http.DeleteAsync($"api/rooms/{Uri.EscapeDataString(Operands[0])}/participants/{Uri.EscapeDataString(Operands[1])}"),
    };

    /// <summary>The answer for a person: a table, or what was done.</summary>
    public string Describe(string body)
    {
        switch (Noun, Verb)
        {
            case ("rooms", "list"):
                return AdminCommand.Table(["NAME", "MEDIA", "PARTICIPANTS", "MAX", "RECORD", "CREATED"],
                    JsonDocument.Parse(body).RootElement.EnumerateArray().Select(r => new[]
                    {
                        r.GetProperty("name").GetString()!, r.GetProperty("media").GetString()!, Number(r, "participants"), Number(r, "maxParticipants"),
                        r.GetProperty("record").GetBoolean() ? "yes" : "no", AdminCommand.When(r.GetProperty("createdAt")),
                    }));
            case ("rooms", "create"):
                var room = JsonDocument.Parse(body).RootElement;
                return $"Created room {room.GetProperty("name").GetString()} ({room.GetProperty("media").GetString()}, at most {Number(room, "maxParticipants")} participants{(room.GetProperty("record").GetBoolean() ? ", recorded" : "")}).";
            case ("rooms", "delete"):
                return $"Deleted room {Operands[0]}.";
            case ("participants", "list"):
                return AdminCommand.Table(["ID", "IDENTITY", "NAME", "CONNECTED", "JOINED"],
                    JsonDocument.Parse(body).RootElement.EnumerateArray().Select(p => new[]
                    {
                        p.GetProperty("id").GetString()!, p.GetProperty("identity").GetString()!, p.GetProperty("name").GetString()!,
                        p.GetProperty("connected").GetBoolean() ? "yes" : "no", AdminCommand.When(p.GetProperty("joinedAt")),
                    }));
            default:
                return $"Removed {Operands[1]} from room {Operands[0]}.";
        }
    }

    private static string Number(JsonElement element, string name) => element.GetProperty(name).GetInt32().ToString(CultureInfo.InvariantCulture);
}
