using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.EndToEnd.Infrastructure;

namespace Switchboard.EndToEnd.Operation;

/// <summary>
/// docs/grafana/switchboard.json: valid JSON Grafana imports (a datasource input, every panel on it), whose queries
/// are PromQL that promtool parses and name only series docs/metrics.md documents.
/// </summary>
public sealed partial class GrafanaDashboardTests(ITestOutputHelper output)
{
    private static string DashboardPath => Path.Combine(RepoLayout.Root, "docs", "grafana", "switchboard.json");

    [Fact]
    public async Task The_dashboard_imports_with_a_prometheus_input_and_queries_only_documented_series()
    {
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(DashboardPath));
        var root = dashboard.RootElement;
        Assert.Contains(root.GetProperty("__inputs").EnumerateArray(), i => i.GetProperty("name").GetString() == "DS_PROMETHEUS" && i.GetProperty("pluginId").GetString() == "prometheus");
        var panels = root.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row").ToList();
        Assert.True(panels.Count >= 10, $"{panels.Count} panels");
        var expressions = new List<string>();
        foreach (var panel in panels)
        {
            Assert.Equal("${DS_PROMETHEUS}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            expressions.AddRange(panel.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!));
        }
        Assert.Contains(expressions, e => e.Contains("histogram_quantile(", StringComparison.Ordinal) && e.Contains("switchboard_media_first_frame_delay_seconds_bucket", StringComparison.Ordinal));

        // Every series a query names is documented (a histogram's _bucket, _sum and _count by its family).
        var documented = MetricsDocument.Read().ToDictionary(s => s.Name);
        var named = expressions.SelectMany(e => SeriesName().Matches(e).Select(m => m.Value)).Distinct().ToList();
        foreach (var name in named)
        {
            var family = Regex.Replace(name, "_(bucket|sum|count)$", "");
            Assert.True(documented.ContainsKey(name) || documented.TryGetValue(family, out var histogram) && histogram.Type == "histogram",
                $"the dashboard queries {name}, which docs/metrics.md does not document");
        }
        output.WriteLine($"{panels.Count} panels, {expressions.Count} queries over {named.Count} series");

        // promtool parses each query (Grafana's variables replaced by what they stand for), as recording rules.
        var rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < expressions.Count; i++)
        {
            var promql = expressions[i].Replace("$__rate_interval", "5m", StringComparison.Ordinal).Replace("$instance", ".*", StringComparison.Ordinal);
            rules.Append($"      - record: dashboard:query{i}\n        expr: {JsonSerializer.Serialize(promql)}\n");
        }
        var file = Path.GetTempFileName() + ".yml";
        try
        {
            await File.WriteAllTextAsync(file, rules.ToString());
            await using var promtool = ChildProcess.Start(Promtool.Path, ["check", "rules", file]);
            Assert.True(await promtool.WaitForExitAsync(TimeSpan.FromSeconds(30)), "promtool check rules did not finish");
            Assert.True(promtool.ExitCode == 0, $"promtool check rules: {promtool.Output}\n{rules}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex(@"\b(switchboard|http_server|dotnet)_[a-z0-9_]+|\btarget_info\b")]
    private static partial Regex SeriesName();
}
