using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.EndToEnd.Browser.App;

namespace Switchboard.EndToEnd.Browser.Admin;

/// <summary>
/// The admin dashboard (/admin) with Chromium, while two Chromium participants are in a call: after signing in with an
/// admin token the overview's charts gain points and show media coming in and going out, and the page matches its
/// baseline with the charts and numbers masked; the room's page lists both participants with their connection, round
/// trip and bit rates, the layer each receives and why, their media events and what their browsers report; muting a track there mutes it for the
/// other participant; removing one there makes it leave the call.
/// </summary>
public sealed class AdminDashboardTests(SfuAppFixture app) : IClassFixture<SfuAppFixture>
{
    [Fact]
    public async Task An_admin_sees_the_charts_move_during_a_call_and_removes_a_participant_from_the_room_page()
    {
        string media = Participant.SmallMedia(320, 180);
        await using var ann = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "admin-call", "Ann", initScript: media);
        await using var ben = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "admin-call", "Ben", initScript: media);
        await ann.WaitForReceivedMediaAsync(1, 1);
        await ben.WaitForReceivedMediaAsync(1, 1);

        var page = await (await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 1135 } })).NewPageAsync();
        try
        {
            await page.GotoAsync(new Uri(app.Server.HttpBase, "admin").ToString());
            await page.FillAsync("#token", await app.Server.TokenCreateAsync("--identity", "ops", "--admin"));
            await page.ClickAsync("#token-form button");
            await page.WaitForSelectorAsync("#overview:not([hidden]) #chart-bitrate canvas");

            // The charts move: more points a few seconds later, and the media numbers are the call's.
            int points = int.Parse(await page.GetAttributeAsync("#chart-bitrate", "data-points") ?? "0");
            await page.WaitForFunctionAsync($"() => Number(document.getElementById('chart-bitrate').dataset.points) >= {points + 2}");
            await page.WaitForFunctionAsync("() => /In [1-9][0-9.]* [kM] · Out [1-9][0-9.]* [kM]/.test(document.querySelector('#chart-bitrate .latest').textContent)");
            Assert.Matches(@"Participants [1-9]", await page.TextContentAsync("#chart-people .latest"));

            await page.FillAsync("#room-search", "admin-call");
            var room = page.Locator("#rooms tr[data-key='admin-call']");
            await room.WaitForAsync();
            await page.EvaluateAsync("window.scrollTo(0, 0)");
            await ScreenshotComparison.MatchAsync(page, "admin-overview", ".charts canvas", ".latest"); // the overview and the rooms: TURN (below) has its users' names

            // The room's page: both participants, connected over UDP, with a round trip and media both ways.
            await room.Locator("button", new() { HasText = "Open" }).ClickAsync();
            string annId = await ann.ParticipantIdAsync(), benId = await ben.ParticipantIdAsync();
            foreach (string id in new[] { annId, benId })
            {
                var row = $"#participants tr[data-key='{id}']";
                await page.WaitForFunctionAsync($$"""
                    () => {
                      const cell = (field) => document.querySelector("{{row}} td[data-field=" + field + "]")?.textContent ?? '';
                      return cell('connection') === 'udp' && /^[0-9.]+ ms$/.test(cell('rtt')) && /^[1-9][0-9.]* [kM]bit\/s \/ [1-9][0-9.]* [kM]bit\/s$/.test(cell('bitrate'));
                    }
                    """);
            }
            var names = await page.Locator("#participants tbody tr[data-key] td[data-field=name]").AllTextContentsAsync();
            Assert.Equal(["Ann", "Ben"], names.Order());
            string details = await page.TextContentAsync("#participants") ?? "";
            Assert.Contains("Receives", details);
            Assert.Matches(@"/camera: layer 1 of 1, [1-9][0-9.]* [kM]bit/s, best available", details);
            Assert.Contains("connected: over udp", details);
            Assert.Matches(@"participant joined · (Ann|Ben)", await page.TextContentAsync("#room-events") ?? "");
            // And as the browsers see it, from the SDK's stats summaries (one each 5 s): candidate, decoded frames, a link to the timeline.
            await page.WaitForFunctionAsync("""
                () => { const text = document.getElementById('participants').textContent;
                        return (text.match(/host candidate over udp/g) ?? []).length === 2 && / [1-9][0-9.]* frames\/s at 320x180/.test(text); }
                """);
            Assert.Equal(2, await page.Locator("#participants a", new() { HasText = "Quality timeline" }).CountAsync());

            // Muting Ann's microphone there: Ben sees it muted, and the page offers it no more.
            await page.Locator($"#participants tr[data-key='{annId}'] button", new() { HasText = "Mute microphone" }).ClickAsync();
            await ben.WaitUntilAsync($"window.switchboard.room.tracks.get('{annId}/microphone')?.muted === true", "Ben to see Ann's microphone muted");
            await page.WaitForFunctionAsync($"() => !document.querySelector(\"#participants tr[data-key='{annId}']\").textContent.includes('Mute microphone')");
            await page.WaitForFunctionAsync($"() => document.getElementById('participants').textContent.includes('{annId}/microphone: no layer, 0 bit/s, muted by its publisher')");

            // Removing Ben there takes him out of the call.
            await page.Locator($"#participants tr[data-key='{benId}'] button", new() { HasText = "Remove" }).ClickAsync();
            await ben.WaitUntilAsync("window.switchboard.room.connectionState === 'disconnected'", "Ben to be removed");
            await ann.WaitUntilAsync($"!window.switchboard.room.participants.has('{benId}')", "Ann to see Ben go");
            await page.WaitForFunctionAsync("() => document.querySelectorAll('#participants tbody tr[data-key]').length === 1");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task The_overview_gives_a_sample_a_second_and_only_the_newer_ones_after_a_time()
    {
        using var api = new HttpClient { BaseAddress = app.Server.HttpBase };
        api.DefaultRequestHeaders.Authorization = new("Bearer", await app.Server.TokenCreateAsync("--identity", "ops", "--admin"));
        await Task.Delay(TimeSpan.FromSeconds(3));
        JsonElement overview = await api.GetFromJsonAsync<JsonElement>("api/overview");
        var names = overview.GetProperty("names").EnumerateArray().Select(n => n.GetString()).ToList();
        Assert.Contains("bitrateIn", names);
        Assert.Contains("cpuPercent", names);
        long[] times = [.. overview.GetProperty("time").EnumerateArray().Select(t => t.GetInt64())];
        Assert.True(times.Length >= 2, overview.ToString());
        Assert.All(overview.GetProperty("values").EnumerateArray(), column => Assert.Equal(times.Length, column.GetArrayLength()));
        Assert.Equal(names.Count, overview.GetProperty("values").GetArrayLength());
        Assert.True(times.Zip(times.Skip(1)).All(pair => pair.Second >= pair.First), "times out of order");
        Assert.True(overview.GetProperty("values")[names.IndexOf("memoryMiB")].EnumerateArray().All(v => v.GetDouble() > 10), "memory below 10 MiB");

        JsonElement newer = await api.GetFromJsonAsync<JsonElement>($"api/overview?after={times[^1]}");
        Assert.All(newer.GetProperty("time").EnumerateArray(), t => Assert.True(t.GetInt64() > times[^1]));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await new HttpClient { BaseAddress = app.Server.HttpBase }.GetAsync("api/overview")).StatusCode);
    }
}
