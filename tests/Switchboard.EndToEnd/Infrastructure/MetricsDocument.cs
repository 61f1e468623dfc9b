using System.Text.RegularExpressions;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>
/// The series docs/metrics.md documents: each table row whose first cell is a metric name in backquotes, read as
/// <c>| `name` | type | labels | when | meaning |</c>. "when" is <c>start</c> (served from the first scrape on) or
/// <c>event</c> (served from the first time it is counted or measured).
/// </summary>
public static partial class MetricsDocument
{
    public sealed record Series(string Name, string Type, IReadOnlyList<string> Labels, bool FromStart);

    public static string PathOnDisk => Path.Combine(RepoLayout.Root, "docs", "metrics.md");

    public static IReadOnlyList<Series> Read()
    {
        var rows = new List<Series>();
        foreach (var line in File.ReadLines(PathOnDisk))
        {
            var row = Row().Match(line);
            if (!row.Success) continue;
            var labels = LabelName().Matches(row.Groups["labels"].Value).Select(m => m.Groups[1].Value).ToList();
            string when = row.Groups["when"].Value.Trim();
            if (when is not ("start" or "event")) throw new FormatException($"docs/metrics.md: '{when}' is neither start nor event in: {line}");
            rows.Add(new Series(row.Groups["name"].Value, row.Groups["type"].Value.Trim(), labels, when == "start"));
        }
        return rows;
    }

    [GeneratedRegex(@"^\| `(?<name>[a-z_:][a-z0-9_:]*)` \|(?<type>[^|]+)\|(?<labels>[^|]*)\|(?<when>[^|]+)\|")]
    private static partial Regex Row();

    [GeneratedRegex("`([a-z_][a-z0-9_]*)`")]
    private static partial Regex LabelName();
}
