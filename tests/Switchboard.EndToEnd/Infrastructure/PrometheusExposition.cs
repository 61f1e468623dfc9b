using System.Text.RegularExpressions;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>
/// The shape of a Prometheus text exposition: its metric families (the names of the <c># TYPE</c> lines, with their
/// types), its series (one per sample line: name and labels) and each label's values. Values are read with
/// <see cref="PrometheusText"/>; well-formedness is promtool's to judge (<see cref="Promtool"/>).
/// </summary>
public sealed partial class PrometheusExposition
{
    private PrometheusExposition(IReadOnlyDictionary<string, string> families, IReadOnlyList<string> series, IReadOnlyDictionary<string, HashSet<string>> labelValues)
    {
        Families = families;
        Series = series;
        LabelValues = labelValues;
    }

    /// <summary>Family name (as its <c># TYPE</c> line names it: counters with <c>_total</c>) to type.</summary>
    public IReadOnlyDictionary<string, string> Families { get; }

    /// <summary>Every sample line's name and labels, e.g. <c>switchboard_turn_requests_total{method="binding"}</c>.</summary>
    public IReadOnlyList<string> Series { get; }

    /// <summary>Each label name (over every series) to the values it takes.</summary>
    public IReadOnlyDictionary<string, HashSet<string>> LabelValues { get; }

    public static PrometheusExposition Parse(string text)
    {
        var families = new Dictionary<string, string>(StringComparer.Ordinal);
        var series = new List<string>();
        var labelValues = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (TypeLine().Match(line) is { Success: true } type)
            {
                families[type.Groups["name"].Value] = type.Groups["type"].Value;
                continue;
            }
            if (line.StartsWith('#')) continue;
            var sample = SampleLine().Match(line);
            if (!sample.Success) throw new FormatException($"not a sample line: {line}");
            series.Add(sample.Groups["series"].Value);
            foreach (Match label in Label().Matches(sample.Groups["labels"].Value))
            {
                if (!labelValues.TryGetValue(label.Groups["name"].Value, out var values)) labelValues[label.Groups["name"].Value] = values = [];
                values.Add(label.Groups["value"].Value);
            }
        }
        return new PrometheusExposition(families, series, labelValues);
    }

    [GeneratedRegex(@"^# TYPE (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<type>\w+)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^(?<series>[a-zA-Z_:][a-zA-Z0-9_:]*(?<labels>\{.*\})?) \S+( \d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)"(,|\})""")]
    private static partial Regex Label();
}
