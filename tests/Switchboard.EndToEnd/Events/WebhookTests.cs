using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.EndToEnd.Browser.App;
using Switchboard.EndToEnd.Infrastructure;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Events;

/// <summary>
/// Room events (docs/events.md) as an app's backend gets them: webhooks posted to a receiver of the test's own, signed
/// with the API key's secret, in order, each taken once even when the receiver fails for a while, and never holding up
/// a call while it hangs; and the same events on the REST API's server-sent events stream.
/// </summary>
public sealed class WebhookTests(SfuAppFixture app, ITestOutputHelper output) : IClassFixture<SfuAppFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_call_posts_its_events_in_order_signed_with_the_API_secret_and_the_event_stream_carries_the_same()
    {
        await using var receiver = new WebhookReceiver();
        await using var server = await StartAsync(receiver);
        using var api = await AdminAsync(server);
        using var stream = await api.GetAsync("api/events?room=hooks", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        var streamed = ReadEventsAsync(await stream.Content.ReadAsStreamAsync());

        string media = Participant.SmallMedia(320, 180);
        await using (var ann = await Participant.OpenAsync(app.Browser, server.HttpBase, "hooks", "Ann", initScript: media))
        {
            await ann.WaitConnectedAsync(); // Ann joins first, then Ben
            await using var ben = await Participant.OpenAsync(app.Browser, server.HttpBase, "hooks", "Ben", initScript: media);
            await ann.WaitForReceivedMediaAsync(1, 1);
            await ben.WaitForReceivedMediaAsync(1, 1);
            var recording = await (await api.PostAsJsonAsync("api/rooms/hooks/recordings", new { })).Content.ReadFromJsonAsync<JsonElement>();
            await Task.Delay(2000);
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"api/recordings/{recording.GetProperty("id").GetString()}/stop", null)).StatusCode);
            await ben.WaitConnectedAsync(); // the SDK's leave() can only say so on an open socket
            await ben.EvaluateAsync("() => window.switchboard.room.leave()");
            await receiver.WaitForAsync(d => d.Any(e => e.EventType == "participant_left"), Limit, "Ben's leave", () => server.OutputTail());
            Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"api/rooms/hooks/participants/{await ann.ParticipantIdAsync()}")).StatusCode);
        }

        var taken = await receiver.WaitForAsync(d => d.Any(e => e.EventType == "room_finished"), Limit, "the room's end", () => server.OutputTail());
        var events = taken.Select(d => d.Event).ToList();
        output.WriteLine(string.Join('\n', events));
        string secret = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(server.DataDirectory, "api-key.json"))).RootElement.GetProperty("Secret").GetString()!;
        Assert.All(taken, d => Assert.True(WebhookReceiver.SignatureIsValid(secret, d, TimeSpan.FromMinutes(5)), $"bad signature {d.Signature} on {d.Event}"));
        Assert.All(taken, d => Assert.Equal(d.Event.GetProperty("type").GetString(), d.EventType));
        Assert.All(taken, d => Assert.Equal(d.Event.GetProperty("id").GetString(), d.DeliveryId));

        // In the order they happened: numbered without a gap, the room's start first and its end last.
        var sequence = events.Select(e => e.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range((int)sequence[0], sequence.Count).Select(i => (long)i), sequence);
        Assert.Equal("room_started", Type(events[0]));
        Assert.Equal("room_finished", Type(events[^1]));
        Assert.All(events, e => Assert.Equal("hooks", e.GetProperty("room").GetString()));
        var joined = events.Where(e => Type(e) == "participant_joined").Select(e => e.GetProperty("participant").GetProperty("name").GetString()).ToList();
        Assert.Equal(["Ann", "Ben"], joined);
        var left = events.Where(e => Type(e) == "participant_left").Select(e => (e.GetProperty("participant").GetProperty("name").GetString(), e.GetProperty("reason").GetString())).ToList();
        Assert.Equal([("Ben", "left"), ("Ann", "removed")], left);
        Assert.Equal(2, left.Count);
        // Each of the four tracks published, and unpublished in the end (a browser that renegotiates under load may
        // publish a track again; none may be left behind).
        var byTrack = events.Where(e => Type(e) is "track_published" or "track_unpublished").GroupBy(e => e.GetProperty("track").GetProperty("id").GetString()).ToList();
        Assert.Equal(4, byTrack.Count);
        Assert.Equal(["audio", "audio", "video", "video"], byTrack.Select(g => g.First().GetProperty("track").GetProperty("kind").GetString()).Order());
        Assert.All(byTrack, g => Assert.Equal(("track_published", "track_unpublished"), (Type(g.First()), Type(g.Last()))));
        // A track is published after its owner joined, and unpublished before the owner's leave is told.
        foreach (JsonElement e in events.Where(e => Type(e) is "track_published" or "track_unpublished"))
        {
            string owner = e.GetProperty("track").GetProperty("participantId").GetString()!;
            int at = events.IndexOf(e);
            Assert.True(events.FindIndex(j => Type(j) == "participant_joined" && j.GetProperty("participant").GetProperty("id").GetString() == owner) < at, $"{e} before its owner joined");
        }
        var finished = Assert.Single(events, e => Type(e) == "recording_finished");
        Assert.Equal("stopped", finished.GetProperty("recording").GetProperty("state").GetString());
        Assert.Equal(4, finished.GetProperty("recording").GetProperty("files").GetArrayLength());
        Assert.True(events.FindIndex(e => Type(e) == "recording_started") < events.IndexOf(finished));

        // The stream carried the same events.
        var fromStream = await streamed.WaitAsync(Limit);
        Assert.Equal(events.Select(e => e.GetProperty("id").GetString()), fromStream.Select(e => e.GetProperty("id").GetString()));
        var status = Assert.Single((await api.GetFromJsonAsync<JsonElement>("api/webhooks")).EnumerateArray());
        Assert.Equal(events.Count, status.GetProperty("delivered").GetInt64());
    }

    [Fact]
    public async Task A_receiver_that_fails_three_times_then_recovers_takes_every_event_once_in_order()
    {
        await using var receiver = new WebhookReceiver();
        receiver.FailNext(3);
        await using var server = await StartAsync(receiver);
        await using (var ann = await SignalingSocket.JoinAsync(server.HttpBase, "retry"))
        {
            await using var ben = await SignalingSocket.JoinAsync(server.HttpBase, "retry");
            await ben.SendAsync(new { type = "leave" });
        }

        var taken = await receiver.WaitForAsync(d => d.Any(e => e.EventType == "room_finished"), Limit, "every event after the failures");
        Assert.Equal(["room_started", "participant_joined", "participant_joined", "participant_left", "participant_left", "room_finished"], taken.Select(d => d.EventType));
        Assert.Equal(taken.Count, taken.Select(d => d.DeliveryId).Distinct().Count());
        Assert.Equal(taken.Count + 3, receiver.Requests);
        using var api = await AdminAsync(server);
        var status = Assert.Single((await api.GetFromJsonAsync<JsonElement>("api/webhooks")).EnumerateArray());
        output.WriteLine(status.ToString());
        Assert.Equal(6, status.GetProperty("delivered").GetInt64());
        Assert.Equal(0, status.GetProperty("failed").GetInt64());
        Assert.Equal(0, status.GetProperty("consecutiveFailures").GetInt32());
        Assert.Equal("HTTP 500 Internal Server Error", status.GetProperty("lastError").GetString());
    }

    [Fact]
    public async Task A_call_goes_on_while_the_receiver_hangs_and_its_events_follow_when_it_answers_again()
    {
        await using var receiver = new WebhookReceiver { Hang = true };
        await using var server = await StartAsync(receiver, "--Webhooks:TimeoutSeconds=1");
        using var api = await AdminAsync(server);
        await using var ann = await SignalingSocket.JoinAsync(server.HttpBase, "hang");
        await using var ben = await SignalingSocket.JoinAsync(server.HttpBase, "hang");
        await ann.ExpectAsync("participant-joined");
        await ben.SendAsync(new { type = "message", data = new { text = "still here" } });
        Assert.Equal("still here", (await ann.ExpectAsync("message")).GetProperty("data").GetProperty("text").GetString());

        JsonElement status = default;
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < Limit; await Task.Delay(200))
        {
            status = Assert.Single((await api.GetFromJsonAsync<JsonElement>("api/webhooks")).EnumerateArray());
            if (status.GetProperty("consecutiveFailures").GetInt32() >= 2) break;
        }
        output.WriteLine(status.ToString());
        Assert.Equal("no answer within 1 s (Webhooks:TimeoutSeconds)", status.GetProperty("lastError").GetString());
        Assert.Equal(0, status.GetProperty("delivered").GetInt64());

        // The admin dashboard shows the receiver failing, with its last error.
        var page = await (await app.Browser.NewContextAsync()).NewPageAsync();
        try
        {
            await page.GotoAsync(new Uri(server.HttpBase, "admin").ToString());
            await page.FillAsync("#token", await server.TokenCreateAsync("--identity", "ops", "--admin"));
            await page.ClickAsync("#token-form button");
            var failing = page.Locator("#webhooks:not([hidden]) #webhook-list tr.failing");
            await failing.WaitForAsync();
            Assert.Matches(@"failing \(\d+ in a row\)", await failing.TextContentAsync());
            Assert.Contains("no answer within 1 s (Webhooks:TimeoutSeconds)", await failing.TextContentAsync());
        }
        finally
        {
            await page.Context.CloseAsync();
        }

        receiver.Hang = false;
        var taken = await receiver.WaitForAsync(d => d.Select(e => e.DeliveryId).Distinct().Count() == 3, Limit, "the events after the hang");
        Assert.Equal(["room_started", "participant_joined", "participant_joined"], taken.DistinctBy(d => d.DeliveryId).Select(d => d.EventType));
    }

    private static async Task<SwitchboardProcess> StartAsync(WebhookReceiver receiver, params string[] more) =>
        await SwitchboardProcess.StartAsync(["--Signaling:AllowAnonymous=true", $"--Webhooks:Urls:0={receiver.Url}", .. more], role: "all");

    private static async Task<HttpClient> AdminAsync(SwitchboardProcess server)
    {
        var client = new HttpClient { BaseAddress = server.HttpBase, Timeout = Limit };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await server.TokenCreateAsync("--identity", "backend", "--admin"));
        return client;
    }

    /// <summary>The events of a text/event-stream until room_finished: each <c>data:</c> line's JSON.</summary>
    private static async Task<List<JsonElement>> ReadEventsAsync(Stream stream)
    {
        var events = new List<JsonElement>();
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            events.Add(JsonDocument.Parse(line[6..]).RootElement.Clone());
            if (Type(events[^1]) == "room_finished") break;
        }
        return events;
    }

    private static string Type(JsonElement e) => e.GetProperty("type").GetString()!;
}
