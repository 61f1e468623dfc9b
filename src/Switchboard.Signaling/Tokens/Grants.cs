using System.Text.Json.Serialization;

namespace Switchboard.Signaling.Tokens;

/// <summary>
/// What an access token lets its holder do. Absent grants are false, except <paramref name="Data"/> (sending on the
/// room's data bus), which follows <paramref name="Publish"/> when absent.
/// </summary>
public sealed record Grants(bool Join = false, bool Publish = false, bool Subscribe = false, bool Admin = false, bool? Data = null)
{
    /// <summary>What an ordinary participant gets: join, publish, subscribe, and data with publish.</summary>
    public static readonly Grants Participant = new(Join: true, Publish: true, Subscribe: true);

    /// <summary>May send on the room's data bus (not on the wire: clients read <c>data ?? publish</c>).</summary>
    [JsonIgnore]
    public bool MaySendData => Data ?? Publish;

    /// <summary>Parses "join,publish,subscribe,admin,data" (any subset, any order); without "data", data follows publish.</summary>
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
                "data" => grants with { Data = true },
                _ => throw new FormatException($"Unknown grant '{word}' (known: join, publish, subscribe, admin, data)."),
            };
        }
        return grants;
    }
}
