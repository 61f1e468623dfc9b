using System.Globalization;
using Switchboard.Signaling.Protocol;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Server.Signaling;

/// <summary>
/// <c>switchboard token create --room R --identity I [--name N] [--grants LIST] [--admin] [--ttl 1h]</c>: prints an
/// access token signed with the server's first API key, read from the same configuration as the server (or the key
/// kept in the data directory, made now if missing so that a server started later accepts the token).
/// </summary>
public static class TokenCommand
{
    public const string Usage = """
        Usage: switchboard token create --identity ID [--room ROOM] [--name NAME] [--grants join,publish,subscribe]
                                        [--admin] [--ttl 6h] [--Section:Key=value ...]

          --identity   who the token is for (its sub claim)
          --room       the room it admits to (required unless --admin; * for any room)
          --name       display name
          --grants     join, publish, subscribe, admin (default: join,publish,subscribe)
          --admin      add the admin grant (for the REST API)
          --ttl        lifetime: 3600, 90s, 30m, 6h or 7d (default 6h)
        """;

    public static int Run(string[] args, TimeProvider time)
    {
        try
        {
            var (token, settings) = Parse(args, time.GetUtcNow());
            var key = LocalApiKey.Load(settings);
            Console.WriteLine(AccessTokenCodec.Create(token, key, time.GetUtcNow()));
            return 0;
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (InvalidOperationException e)
        {
            // A setting that does not bind (--Signaling:ApiKeys:0=oops): say which, as the server's start does.
            Console.Error.WriteLine($"Configuration error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Cannot read or create the API key in the data directory: {e.Message}");
            return 1;
        }
    }

    /// <summary>The token the arguments ask for, and the configuration arguments among them.</summary>
    public static (AccessToken Token, string[] Settings) Parse(string[] args, DateTimeOffset now)
    {
        if (args.Length == 0 || args[0] != "create") throw new FormatException("switchboard token: the only command is 'create'.");
        string? identity = null, room = null, name = null;
        var grants = Grants.Participant;
        var ttl = TimeSpan.FromHours(6);
        bool admin = false;
        var settings = new List<string>();
        for (int i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--identity": identity = Value(); break;
                case "--room": room = Value(); break;
                case "--name": name = Value(); break;
                case "--grants": grants = Grants.Parse(Value()); break;
                case "--admin": admin = true; break;
                case "--ttl": ttl = ParseDuration(Value()); break;
                default:
                    if (!args[i].StartsWith("--", StringComparison.Ordinal) || !args[i].Contains(':'))
                        throw new FormatException($"Unknown argument '{args[i]}'.");
                    settings.Add(args[i]);
                    break;
            }
        }
        if (string.IsNullOrWhiteSpace(identity) || identity.Length > AccessToken.MaxIdentityLength) throw new FormatException("--identity is required (1-128 characters).");
        if (room is null && !admin) throw new FormatException("--room is required (or --admin for an administrator's token).");
        if (room is not null and not "*" && !ClientMessageReader.IsValidRoomName(room)) throw new FormatException("--room must be 1-64 characters of A-Z a-z 0-9 - _ . (or *).");
        if (admin) grants = grants with { Admin = true };
        return (new AccessToken(identity, name, room, grants, now + ttl), [.. settings]);
    }

    static TimeSpan ParseDuration(string text)
    {
        if (text.Length == 0) throw new FormatException("--ttl is empty: give a duration like 3600, 90s, 30m, 6h or 7d.");
        var unit = text[^1];
        var number = char.IsDigit(unit) ? text : text[..^1];
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
            throw new FormatException($"--ttl '{text}' is not a duration like 3600, 90s, 30m, 6h or 7d.");
        var ttl = unit switch
        {
            's' or >= '0' and <= '9' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            'd' => TimeSpan.FromDays(value),
            _ => throw new FormatException($"--ttl '{text}' has an unknown unit (s, m, h, d)."),
        };
        return ttl <= TimeSpan.FromDays(366) ? ttl : throw new FormatException("--ttl is at most 366 days.");
    }
}
