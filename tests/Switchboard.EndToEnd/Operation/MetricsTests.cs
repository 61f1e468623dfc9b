using System.Globalization;
using Switchboard.EndToEnd.Browser.App;
using Switchboard.EndToEnd.Infrastructure;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Operation;

/// <summary>
/// <c>/metrics</c> of the whole server (signaling, TURN, media) after real work: what it serves parses with promtool,
/// is what docs/metrics.md documents (each way), the histograms count a real call, and a thousand joins add no series.
/// </summary>
public sealed class MetricsTests(SfuAppFixture app, ITestOutputHelper output) : IClassFixture<SfuAppFixture>
{
    private const string JoinDuration = "switchboard_signaling_join_duration_seconds";
    private const string FirstFrame = "switchboard_media_first_frame_delay_seconds";
    private const string RoundTrip = "switchboard_media_round_trip_time_seconds";
    private const string FractionLost = "switchboard_media_loss_ratio";

    [Fact]
    public async Task A_call_fills_the_histograms_and_metrics_serves_every_documented_series_and_no_other()
    {
        var server = app.Server;
        // A signaling error: a join with a token that is none.
        await using (var socket = await SignalingSocket.ConnectAsync(server.HttpBase))
        {
            await socket.SendAsync(new { type = "join", room = "metrics", token = "not-a-token" });
            Assert.Equal("token-invalid", (await socket.ExpectAsync("error")).GetProperty("code").GetString());
        }
        // TURN: coturn's client allocates (after a 401 without credentials) and relays through a pair of allocations.
        var turn = await TurnUtils.RunUclientAsync(["-u", TurnCredentials.UserName, "-w", TurnCredentials.Password, "-y", "-m", "1", "-n", "20", "-l", "120",
            "-p", server.Port.ToString(CultureInfo.InvariantCulture), server.Host]);
        Assert.True(turn.ExitCode == 0, turn.Describe());
        // Media: two people in an sfu room, each receiving the other's video and audio.
        var small = RoomParticipant.SmallMedia(320, 180);
        await using var ann = await Participant.OpenAsync(app.Browser, server.HttpBase, "metrics", "Ann", initScript: small);
        await using var ben = await Participant.OpenAsync(app.Browser, server.HttpBase, "metrics", "Ben", initScript: small);
        await ann.WaitForReceivedMediaAsync(1, 1);
        await ben.WaitForReceivedMediaAsync(1, 1);

        // Receiver reports come about once a second: wait until each histogram has counted.
        var metrics = await ScrapeUntilAsync(m => Count(m, FirstFrame) >= 2 && Count(m, RoundTrip) > 0 && Count(m, FractionLost) > 0 && Count(m, JoinDuration) >= 2);
        foreach (var histogram in new[] { JoinDuration, FirstFrame, RoundTrip, FractionLost })
        {
            double count = Count(metrics, histogram), sum = PrometheusText.Value(metrics, histogram + "_sum");
            output.WriteLine($"{histogram}: {count} samples, mean {sum / count:0.####}");
            Assert.Equal(count, PrometheusText.Value(metrics, histogram + "_bucket", "le=\"+Inf\""));
        }
        Assert.True(PrometheusText.Value(metrics, "switchboard_turn_allocations_created_total") >= 2, metrics);
        Assert.True(PrometheusText.Value(metrics, "switchboard_signaling_errors_total", "code=\"token-invalid\"") >= 1, metrics);

        // promtool parses it; what it lints is only the runtime's own names (e.g. dotnet_timer_count, a gauge ending in _count).
        var (exit, lint) = await Promtool.CheckMetricsAsync(metrics);
        output.WriteLine($"promtool check metrics: exit {exit}\n{lint}");
        Assert.True(exit is 0 or Promtool.LintProblems, $"promtool could not parse /metrics (exit {exit}): {lint}\n{metrics}");
        Assert.DoesNotContain(lint.Split('\n'), line => line.StartsWith("switchboard_", StringComparison.Ordinal) || line.StartsWith("http_", StringComparison.Ordinal));

        // docs/metrics.md and /metrics agree both ways: every family served is documented with its type and labels, and
        // every documented family is served (those that appear with their first event, once it happened here).
        var exposition = PrometheusExposition.Parse(metrics);
        var documented = MetricsDocument.Read().ToDictionary(s => s.Name);
        foreach (var (family, type) in exposition.Families)
        {
            Assert.True(documented.TryGetValue(family, out var doc), $"/metrics serves {family} ({type}), which docs/metrics.md does not document");
            Assert.Equal((family, type), (family, doc.Type));
            var labels = exposition.Series.Where(s => SeriesFamily(s, type) == family).SelectMany(LabelNames).Where(l => l is not ("otel_scope_name" or "le")).Distinct();
            foreach (var label in labels) Assert.True(doc.Labels.Contains(label), $"{family} has label {label}, which docs/metrics.md does not name");
        }
        var missing = documented.Values.Where(s => s.FromStart && !exposition.Families.ContainsKey(s.Name)).Select(s => s.Name).ToList();
        Assert.True(missing.Count == 0, $"docs/metrics.md documents series /metrics does not serve: {string.Join(", ", missing)}");
        string[] happenedHere = [JoinDuration, FirstFrame, RoundTrip, FractionLost, "switchboard_signaling_errors_total", "switchboard_signaling_messages_relayed_total",
            "switchboard_turn_allocations_created_total", "switchboard_turn_requests_total"];
        foreach (var name in happenedHere)
        {
            Assert.True(documented.ContainsKey(name), $"docs/metrics.md does not document {name}");
            Assert.True(exposition.Families.ContainsKey(name), $"/metrics does not serve {name} after the work that counts it");
        }
        output.WriteLine($"{exposition.Families.Count} families, {exposition.Series.Count} series; {documented.Count} documented");
    }

    [Fact]
    public async Task A_thousand_joins_of_distinct_identities_in_a_hundred_rooms_add_no_series_and_no_label_values()
    {
        await JoinAndLeaveAsync(0, 10);
        // A first scrape makes the /metrics route's own request series; the exporter serves a scrape again for a moment
        // (its response cache), so the next one comes a second later.
        await ScrapeAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var scraped = await ScrapeAsync();
        var before = PrometheusExposition.Parse(scraped);
        var joinsBefore = Count(scraped, JoinDuration);
        await JoinAndLeaveAsync(10, 1010);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var metrics = await ScrapeAsync();
        var after = PrometheusExposition.Parse(metrics);
        output.WriteLine($"after 10 joins: {before.Series.Count} series; after 1,000 more: {after.Series.Count}; join histogram {joinsBefore} -> {Count(metrics, JoinDuration)} samples");

        Assert.True(Count(metrics, JoinDuration) >= joinsBefore + 1000, metrics);
        var added = after.Series.Except(before.Series).ToList();
        var gone = before.Series.Except(after.Series).ToList();
        Assert.True(added.Count == 0 && gone.Count == 0, $"series added: {string.Join(", ", added)}; gone: {string.Join(", ", gone)}");
        Assert.Equal(before.Series.Count, after.Series.Count);
        foreach (var (label, values) in after.LabelValues)
            Assert.True(before.LabelValues.TryGetValue(label, out var earlier) && earlier.SetEquals(values), $"label {label} took new values: {string.Join(", ", values)}");
    }

    /// <summary>Joins <c>[from, to)</c>, each a new anonymous guest identity, in rooms metrics-0 to metrics-99, and leaves.</summary>
    private async Task JoinAndLeaveAsync(int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            await using var socket = await SignalingSocket.JoinAsync(app.Server.HttpBase, $"metrics-{i % 100}");
            await socket.SendAsync(new { type = "leave" });
            await socket.ReceiveAsync(); // the close that answers leave
        }
    }

    private async Task<string> ScrapeAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri(app.Server.HttpBase, "metrics"));
    }

    private async Task<string> ScrapeUntilAsync(Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string metrics;
        while (!done(metrics = await ScrapeAsync()))
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"the histograms did not count the call within 60 s:\n{metrics}");
            await Task.Delay(500);
        }
        return metrics;
    }

    private static double Count(string metrics, string histogram) => PrometheusText.Value(metrics, histogram + "_count");

    /// <summary>The family a series belongs to: a histogram's _bucket, _sum and _count series are its own.</summary>
    private static string SeriesFamily(string series, string type)
    {
        var name = series.Split('{')[0];
        if (type != "histogram") return name;
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
            if (name.EndsWith(suffix, StringComparison.Ordinal)) return name[..^suffix.Length];
        return name;
    }

    private static IEnumerable<string> LabelNames(string series) =>
        PrometheusExposition.Parse(series + " 0").LabelValues.Keys;
}
