using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.EndToEnd.Browser.App;

namespace Switchboard.EndToEnd.Browser.Quality;

/// <summary>
/// "Why was my call bad?" with two Chromium participants in an sfu call: the SDK's summaries reach the server, which keeps
/// the call's quality timeline after one leaves; the REST API gives it, and the admin's quality page draws it. Points are
/// 10 s here (<c>Signaling:Quality:BucketSeconds</c>) rather than a minute, so the call lasts two points.
/// </summary>
public sealed class CallQualityTests(CallQualityTests.QualityAppFixture app) : IClassFixture<CallQualityTests.QualityAppFixture>
{
    public sealed class QualityAppFixture : WebAppFixture
    {
        protected override string[] ServerArguments => ["--Signaling:AllowAnonymous=true", "--Signaling:Quality:BucketSeconds=10"];
    }

    [Fact]
    public async Task A_participant_who_left_has_a_scored_timeline_in_the_api_and_on_the_quality_page()
    {
        string media = Participant.SmallMedia(320, 180);
        await using var ann = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "quality-call", "Ann", initScript: media);
        await using var ben = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "quality-call", "Ben", initScript: media);
        await ben.WaitForReceivedMediaAsync(1, 1);
        string benId = await ben.ParticipantIdAsync();
        string identity = await ben.EvaluateAsync<string>("window.switchboard.room.localParticipant.identity");
        string token = await app.Server.TokenCreateAsync("--identity", "ops", "--admin");
        using var api = new HttpClient { BaseAddress = app.Server.HttpBase };
        api.DefaultRequestHeaders.Authorization = new("Bearer", token);

        // While the call lasts, Ben's latest summary is readable: the video he decodes and how he is connected.
        var live = await ben.WaitForAsync(() => GetAsync(api, $"api/rooms/quality-call/participants/{benId}/quality"),
            l => l is { } v && v.GetProperty("latest").GetProperty("video").EnumerateArray().Any(t => t.GetProperty("fps").GetDouble() > 0),
            "Ben's live summary with decoded video", l => l?.ToString() ?? "none yet");
        Assert.Equal("host", live!.Value.GetProperty("latest").GetProperty("cand").GetString());
        Assert.Equal($"{await ann.ParticipantIdAsync()}/camera", live.Value.GetProperty("latest").GetProperty("video")[0].GetProperty("track").GetString());
        // The page reads the same summary (the SDK's stats event and room.lastStats).
        await ben.WaitUntilAsync("window.switchboard.room.lastStats?.video?.[0]?.fps > 0", "the SDK's own summary in the page");

        // Two points of the call, then Ben leaves.
        await ben.WaitForAsync(() => GetAsync(api, $"api/quality/{benId}"), t => t?.GetProperty("buckets").GetArrayLength() >= 2, "two points of Ben's call",
            t => t?.ToString() ?? "none yet", TimeSpan.FromSeconds(60));
        await ben.Page.ClickAsync("#leave");

        // The API lists his call as ended, found by room and identity, and gives its timeline.
        var calls = await ann.WaitForAsync(() => GetAsync(api, $"api/quality?room=quality-call&identity={identity}"),
            c => c is { } list && list.GetArrayLength() == 1 && list[0].GetProperty("ended").ValueKind == JsonValueKind.String, "Ben's call to end",
            c => c?.ToString() ?? "none");
        Assert.Equal(benId, calls!.Value[0].GetProperty("callId").GetString());
        var timeline = (await GetAsync(api, $"api/quality/{benId}"))!.Value;
        var buckets = timeline.GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(10, timeline.GetProperty("bucketSeconds").GetInt32());
        Assert.Contains(buckets, b => b.GetProperty("fps").ValueKind == JsonValueKind.Number && b.GetProperty("fps").GetDouble() > 0);
        Assert.All(buckets, b => Assert.InRange(b.GetProperty("score").GetDouble(), 1, 4.5));
        Assert.All(buckets, b => Assert.Equal(("host", "udp"), (b.GetProperty("candidate").GetString(), b.GetProperty("protocol").GetString())));

        // The quality page finds the call and draws its points.
        var page = await (await app.Browser.NewContextAsync()).NewPageAsync();
        try
        {
            await page.GotoAsync(new Uri(app.Server.HttpBase, $"quality?room=quality-call&identity={identity}").ToString());
            await page.FillAsync("#token", token);
            await page.ClickAsync("#token-form button");
            await page.Locator($"#calls tr[data-key='{benId}'] button", new() { HasText = "Show" }).ClickAsync();
            await page.WaitForSelectorAsync("#timeline:not([hidden]) #quality-chart canvas");
            Assert.Equal(buckets.Count.ToString(), await page.GetAttributeAsync("#quality-chart", "data-points"));
            Assert.Equal(buckets.Count, await page.Locator("#buckets tbody tr").CountAsync());
            Assert.StartsWith($"{identity} in quality-call", await page.TextContentAsync("#timeline-title"), StringComparison.Ordinal);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>The body of a GET as JSON; null for a 404.</summary>
    static async Task<JsonElement?> GetAsync(HttpClient api, string path)
    {
        using var response = await api.GetAsync(path);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
