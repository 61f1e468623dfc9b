using System.Globalization;
using System.Text.RegularExpressions;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>Reads one sample from the Prometheus text exposition that /metrics serves.</summary>
public static class PrometheusText
{
    /// <summary>The value of <paramref name="name"/> (with a label matching <paramref name="label"/> if given), or -1 when absent.</summary>
    public static double Value(string metrics, string name, string? label = null)
    {
        var labels = label is null ? @"(\{[^}]*\})?" : @"\{[^}]*" + Regex.Escape(label) + @"[^}]*\}";
        var match = Regex.Match(metrics, "^" + Regex.Escape(name) + labels + @" (?<value>[0-9.eE+-]+)( [0-9]+)?$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture) : -1;
    }
}
