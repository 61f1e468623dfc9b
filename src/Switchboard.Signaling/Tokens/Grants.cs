namespace Switchboard.Signaling.Tokens;

/// <summary>What an access token lets its holder do. Absent grants are false.</summary>
public sealed record Grants(bool Join = false, bool Publish = false, bool Subscribe = false, bool Admin = false)
{
    /// <summary>What an ordinary participant gets: join, publish, subscribe.</summary>
    public static readonly Grants Participant = new(Join: true, Publish: true, Subscribe: true);

    /// <summary>Parses "join,publish,subscribe,admin" (any subset, any order).</summary>
    public static Grants Parse(string list)
    {
        var grants = new Grants();
        foreach (var word in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            grants = word.ToLowerInvariant() switch
            {
                "join" => grants with { Join = true },
                "publish" => grants with { Publish = true },
                "subscribe" => grants with { Subscribe = true },
                "admin" => grants with { Admin = true },
                _ => throw new FormatException($"Unknown grant '{word}' (known: join, publish, subscribe, admin)."),
            };
        }
        return grants;
    }
}
