using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.MediaLoad;

/// <summary>The command line as <c>--name value</c> pairs, and <c>--name</c> alone for a switch.</summary>
internal sealed class LoadArguments
{
    /// <summary>Result lines: NaN (a figure that could not be measured) is written as "NaN" rather than failing.</summary>
    public static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly Dictionary<string, string> _values = [];

    public LoadArguments(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new FormatException($"expected --name value, found {args[i]}");
            bool isSwitch = i + 1 == args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal);
            _values[args[i][2..]] = isSwitch ? "true" : args[++i];
        }
    }

    /// <summary>The value of the first of <paramref name="names"/> given, else <paramref name="fallback"/>.</summary>
    public string Get(string name, string fallback, params string[] aliases)
    {
        foreach (string key in (string[])[name, .. aliases])
            if (_values.TryGetValue(key, out string? value)) return value;
        return fallback;
    }

    public int Int(string name, int fallback, params string[] aliases) =>
        int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture), aliases), CultureInfo.InvariantCulture);

    public double Double(string name, double fallback, params string[] aliases) =>
        double.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture), aliases), CultureInfo.InvariantCulture);

    /// <summary>Whether the switch <c>--name</c> was given (or <c>--name true</c>).</summary>
    public bool Flag(string name) => _values.TryGetValue(name, out string? value) && bool.Parse(value);

    public int? OptionalInt(string name) => _values.TryGetValue(name, out string? value) ? int.Parse(value, CultureInfo.InvariantCulture) : null;
}
