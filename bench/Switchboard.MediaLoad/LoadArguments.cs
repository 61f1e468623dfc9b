using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.MediaLoad;

/// <summary>The command line as <c>--name value</c> pairs.</summary>
internal sealed class LoadArguments
{
    /// <summary>Result lines: NaN (a figure that could not be measured) is written as "NaN" rather than failing.</summary>
    public static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly Dictionary<string, string> _values = [];

    public LoadArguments(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 == args.Length) throw new FormatException($"expected --name value, found {args[i]}");
            _values[args[i][2..]] = args[++i];
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

    public int? OptionalInt(string name) => _values.TryGetValue(name, out string? value) ? int.Parse(value, CultureInfo.InvariantCulture) : null;
}
