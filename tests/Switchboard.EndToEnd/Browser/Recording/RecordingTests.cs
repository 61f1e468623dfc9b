using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.EndToEnd.Browser.App;
using Switchboard.EndToEnd.Infrastructure;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Browser.Recording;

/// <summary>
/// Server-side recording with Chromium participants: every published track becomes a file that ffprobe reads with the
/// expected codec and a duration within 2 % of the time recorded, and that ffmpeg decodes without an error; everyone in
/// the room sees that it is recorded; files survive the server's SIGKILL up to about the last second, and a publisher
/// behind 5 % loss; a mute stays in the files as time; a recording whose directory goes away, or whose disk (a real
/// tmpfs) reaches the free-space floor or fills up, ends with an error while the call goes on.
/// </summary>
public sealed class RecordingTests(SfuAppFixture app, ITestOutputHelper output) : IClassFixture<SfuAppFixture>
{
    private static readonly string Media = Participant.SmallMedia(320, 180, frameRate: 15);

    [Fact]
    public async Task Two_participants_camera_and_microphone_are_recorded_to_files_that_play_for_the_time_recorded()
    {
        await using var ann = await JoinAsync(app.Server, "rec-call", "Ann");
        await using var ben = await JoinAsync(app.Server, "rec-call", "Ben");
        await ann.WaitForReceivedMediaAsync(1, 1);
        using var api = await AdminAsync(app.Server);

        JsonElement started = await StartAsync(api, "rec-call");
        string id = started.GetProperty("id").GetString()!;
        foreach (var person in new[] { ann, ben })
        {
            await person.WaitUntilAsync("window.switchboard.room.recording === true && !document.getElementById('recording').hidden", "the recording indicator");
            Assert.Contains(await person.EventsAsync(), e => e.GetProperty("type").GetString() == "recording");
        }
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsync("api/rooms/rec-call/recordings", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("api/rooms", new { name = "rec-p2p", media = "p2p" })).StatusCode);
        var p2p = await api.PostAsJsonAsync("api/rooms/rec-p2p/recordings", new { });
        Assert.Equal(HttpStatusCode.Conflict, p2p.StatusCode); // its media never reaches the server
        Assert.Contains("p2p room", await p2p.Content.ReadAsStringAsync());

        await Task.Delay(TimeSpan.FromSeconds(15));
        var stopAsked = DateTimeOffset.UtcNow;
        var stopped = await api.PostAsync($"api/recordings/{id}/stop", null);
        var stopAnswered = DateTimeOffset.UtcNow;
        Assert.True(stopped.StatusCode == HttpStatusCode.OK, $"{stopped.StatusCode}: {await stopped.Content.ReadAsStringAsync()}\n{app.Server.OutputTail(6000)}");
        JsonElement info = await stopped.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("stopped", info.GetProperty("state").GetString());
        await ann.WaitUntilAsync("window.switchboard.room.recording === false && document.getElementById('recording').hidden", "the indicator to go");

        var files = info.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(["audio", "audio", "video", "video"], files.Select(f => f.GetProperty("kind").GetString()).Order());
        using var directory = new TempDirectory("recording");
        foreach (JsonElement file in files)
        {
            string name = file.GetProperty("name").GetString()!;
            string path = await DownloadAsync(api, id, name, directory.Path);
            var probe = await MediaFiles.ProbeAsync(path);
            // From the first sample to the stop: the file ends between the stop's request and its answer.
            var firstSample = file.GetProperty("firstSampleAt").GetDateTimeOffset();
            double shortest = (stopAsked - firstSample).TotalSeconds, longest = (stopAnswered - firstSample).TotalSeconds;
            output.WriteLine($"{name}: {probe}, expected {shortest:F2}-{longest:F2} s, {file.GetProperty("bytes").GetInt64()} bytes");
            Assert.Equal(file.GetProperty("kind").GetString() == "audio" ? "opus" : "vp8", probe.Codec);
            Assert.InRange(probe.DurationSeconds, shortest * 0.98, longest * 1.02);
            Assert.Equal("", await MediaFiles.DecodeErrorsAsync(path));
            if (file.GetProperty("kind").GetString() == "video") Assert.Equal((320, 180), (probe.Width, probe.Height));
        }

        // Range requests, so that players can seek.
        using var range = new HttpRequestMessage(HttpMethod.Get, $"api/recordings/{id}/files/{files[0].GetProperty("name").GetString()}");
        range.Headers.Range = new RangeHeaderValue(0, 99);
        var partial = await api.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(100, (await partial.Content.ReadAsByteArrayAsync()).Length);

        // Exports: Ann's audio and video in one file, the room as a grid with both voices, and the voices alone.
        string annId = await ann.ParticipantIdAsync();
        var participant = await ExportAsync(api, id, new { kind = "participant", participantId = annId }, directory.Path);
        Assert.Equal(["opus", "vp8"], participant.Codecs.Order());
        var room = await ExportAsync(api, id, new { kind = "room" }, directory.Path);
        Assert.Equal(["aac", "h264"], room.Codecs.Order());
        Assert.Equal((1280, 720), (room.Width, room.Height));
        var voices = await ExportAsync(api, id, new { kind = "audio" }, directory.Path);
        Assert.Equal(["opus"], voices.Codecs);
        foreach (var export in new[] { participant, room, voices }) Assert.InRange(export.DurationSeconds, 13, 17);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsJsonAsync($"api/recordings/{id}/exports", new { kind = "movie" })).StatusCode);

        // The recordings page lists it and plays a file in the browser.
        var page = await (await app.Browser.NewContextAsync()).NewPageAsync();
        try
        {
            await page.GotoAsync(new Uri(app.Server.HttpBase, "recordings").ToString());
            await page.FillAsync("#token", api.DefaultRequestHeaders.Authorization!.Parameter!);
            await page.ClickAsync("#token-form button");
            var entry = page.Locator($"li.recording[data-id='{id}']");
            await entry.Locator("button", new() { HasText = "Play" }).Last.ClickAsync();
            await page.WaitForFunctionAsync("() => { const v = document.getElementById('player'); return v.readyState >= 2 && v.duration > 10; }");
        }
        finally
        {
            await page.Context.CloseAsync();
        }

        var listed = await api.GetFromJsonAsync<JsonElement>("api/recordings?room=rec-call");
        Assert.Contains(listed.EnumerateArray(), r => r.GetProperty("id").GetString() == id);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"api/recordings/{id}/files/..%2Fmanifest.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"api/recordings/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"api/recordings/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_server_killed_mid_recording_leaves_files_that_play_up_to_about_the_last_second()
    {
        await using var server = await SwitchboardProcess.StartAsync(["--Signaling:AllowAnonymous=true"], role: "all");
        await using var ann = await JoinAsync(server, "rec-crash", "Ann");
        await ann.WaitUntilAsync("window.switchboard.room.tracks.size >= 2", "Ann's tracks at the server");
        using var api = await AdminAsync(server);
        string id = (await StartAsync(api, "rec-crash")).GetProperty("id").GetString()!;
        await Task.Delay(TimeSpan.FromSeconds(8));

        server.Process.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        string recording = Path.Combine(server.DataDirectory, "recordings", id);
        JsonElement manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(recording, "manifest.json"))).RootElement;
        var files = manifest.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(2, files.Count);
        foreach (JsonElement file in files)
        {
            string path = Path.Combine(recording, file.GetProperty("name").GetString()!);
            var probe = await MediaFiles.ProbeAsync(path);
            double recorded = (killedAt - file.GetProperty("firstSampleAt").GetDateTimeOffset()).TotalSeconds;
            output.WriteLine($"{Path.GetFileName(path)}: {probe}, {recorded:F2} s recorded before the kill");
            Assert.InRange(probe.DurationSeconds, recorded - 1.5, recorded + 0.2);
            Assert.Equal("", await MediaFiles.DecodeErrorsAsync(path));
        }
    }

    [Fact]
    public async Task A_server_that_is_stopped_finishes_its_recordings_first()
    {
        await using var server = await SwitchboardProcess.StartAsync(["--Signaling:AllowAnonymous=true"], role: "all");
        await using var ann = await JoinAsync(server, "rec-shutdown", "Ann");
        await ann.WaitUntilAsync("window.switchboard.room.tracks.size >= 2", "Ann's tracks at the server");
        using var api = await AdminAsync(server);
        string id = (await StartAsync(api, "rec-shutdown")).GetProperty("id").GetString()!;
        await Task.Delay(TimeSpan.FromSeconds(5));

        server.SendTerminate();
        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the server did not stop\n" + server.OutputTail());
        string recording = Path.Combine(server.DataDirectory, "recordings", id);
        JsonElement manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(recording, "manifest.json"))).RootElement;
        Assert.Equal("stopped", manifest.GetProperty("state").GetString());
        Assert.Equal(2, manifest.GetProperty("files").GetArrayLength());
        foreach (JsonElement file in manifest.GetProperty("files").EnumerateArray())
        {
            var probe = await MediaFiles.ProbeAsync(Path.Combine(recording, file.GetProperty("name").GetString()!));
            Assert.True(probe.Finished, $"{file.GetProperty("name").GetString()} has no duration: not finished");
            Assert.InRange(probe.DurationSeconds, 4, 6.5);
        }
    }

    [Fact]
    public async Task A_publisher_behind_five_percent_loss_is_recorded_to_files_that_decode_without_an_error()
    {
        await using var proxy = new UdpImpairmentProxy(new IPEndPoint(IPAddress.Loopback, app.Server.MediaUdpPort), dropFraction: 0.05, seed: 14);
        await using var lossy = await JoinAsync(app.Server, "rec-loss", "Lossy", proxy.BrowserScript(app.Server.MediaUdpPort));
        await lossy.WaitUntilAsync("window.switchboard.room.tracks.size >= 2", "the tracks at the server");
        using var api = await AdminAsync(app.Server);
        string id = (await StartAsync(api, "rec-loss")).GetProperty("id").GetString()!;
        await Task.Delay(TimeSpan.FromSeconds(10));
        JsonElement info = await (await api.PostAsync($"api/recordings/{id}/stop", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(proxy.DroppedToServer > 0, $"the proxy dropped nothing: {proxy}");

        using var directory = new TempDirectory("recording-loss");
        foreach (JsonElement file in info.GetProperty("files").EnumerateArray())
        {
            string path = await DownloadAsync(api, id, file.GetProperty("name").GetString()!, directory.Path);
            var probe = await MediaFiles.ProbeAsync(path);
            output.WriteLine($"{Path.GetFileName(path)}: {probe}; proxy {proxy}");
            Assert.InRange(probe.DurationSeconds, 8, 11);
            Assert.Equal("", await MediaFiles.DecodeErrorsAsync(path));
        }
    }

    [Fact]
    public async Task A_recording_whose_directory_goes_away_ends_with_an_error_and_the_call_goes_on()
    {
        await using var ann = await JoinAsync(app.Server, "rec-gone", "Ann");
        await using var ben = await JoinAsync(app.Server, "rec-gone", "Ben");
        await ben.WaitForReceivedMediaAsync(1, 1);
        using var api = await AdminAsync(app.Server);
        string id = (await StartAsync(api, "rec-gone")).GetProperty("id").GetString()!;
        await ann.WaitUntilAsync("window.switchboard.room.recording === true", "the recording to start");
        await Task.Delay(TimeSpan.FromSeconds(2));

        Directory.Delete(Path.Combine(app.Server.DataDirectory, "recordings", id), recursive: true);
        await ann.WaitUntilAsync("window.switchboard.room.recording === false", "the recording to end");
        JsonElement info = await api.GetFromJsonAsync<JsonElement>($"api/recordings/{id}");
        Assert.Equal("failed", info.GetProperty("state").GetString());
        Assert.Contains("directory", info.GetProperty("error").GetString());
        await ben.WaitForReceivedMediaAsync(1, 1); // the call goes on
        Assert.False(app.Server.HasExited);
    }

    [Fact]
    public async Task A_participant_who_mutes_and_unmutes_is_recorded_in_the_same_files_with_the_muted_time_kept_as_a_silent_gap()
    {
        await using var ann = await JoinAsync(app.Server, "rec-mute", "Ann");
        await using var ben = await JoinAsync(app.Server, "rec-mute", "Ben");
        await ben.WaitForReceivedMediaAsync(1, 1);
        using var api = await AdminAsync(app.Server);
        string id = (await StartAsync(api, "rec-mute")).GetProperty("id").GetString()!;
        await Task.Delay(TimeSpan.FromSeconds(4));
        await ann.EvaluateAsync("() => { window.switchboard.room.mute('microphone', true); window.switchboard.room.mute('camera', true); }");
        var mutedAt = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(5));
        await ann.EvaluateAsync("() => { window.switchboard.room.mute('microphone', false); window.switchboard.room.mute('camera', false); }");
        var unmutedAt = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(5));
        JsonElement info = await (await api.PostAsync($"api/recordings/{id}/stop", null)).Content.ReadFromJsonAsync<JsonElement>();
        var stoppedAt = DateTimeOffset.UtcNow;

        string annId = await ann.ParticipantIdAsync();
        var files = info.GetProperty("files").EnumerateArray().Where(f => f.GetProperty("participantId").GetString() == annId).ToList();
        Assert.True(files.Count == 2, $"Ann's recording is not one file per track: {info}"); // unmuting goes on in the same files
        using var directory = new TempDirectory("recording-mute");
        foreach (JsonElement file in files)
        {
            string path = await DownloadAsync(api, id, file.GetProperty("name").GetString()!, directory.Path);
            var firstSampleAt = file.GetProperty("firstSampleAt").GetDateTimeOffset();
            double muted = (mutedAt - firstSampleAt).TotalSeconds, unmuted = (unmutedAt - firstSampleAt).TotalSeconds;
            var probe = await MediaFiles.ProbeAsync(path);
            Assert.Equal("", await MediaFiles.DecodeErrorsAsync(path));
            Assert.InRange(probe.DurationSeconds, (stoppedAt - firstSampleAt).TotalSeconds - 1.5, (stoppedAt - firstSampleAt).TotalSeconds + 0.2);
            if (file.GetProperty("kind").GetString() == "audio")
            {
                // The muted time is there, as silence: the only silence of 2 s or more (the fake microphone beeps twice a second).
                var silences = await MediaFiles.SilencesAsync(path, 2);
                output.WriteLine($"{file.GetProperty("name")}: {probe}; muted {muted:F2}-{unmuted:F2} s; silences {string.Join(", ", silences.Select(s => $"{s.Start:F2}-{s.End:F2}"))}");
                var silence = Assert.Single(silences);
                Assert.InRange(silence.Start, muted - 0.5, muted + 1);
                Assert.InRange(silence.End, unmuted - 0.5, unmuted + 1.5);
            }
            else
            {
                // The muted time is there, as a gap between frames, where the mute was.
                var frames = await MediaFiles.PacketsAsync(path);
                var (before, after) = frames.Zip(frames.Skip(1)).Select(pair => (pair.First.Time, pair.Second.Time)).MaxBy(gap => gap.Item2 - gap.Item1);
                output.WriteLine($"{file.GetProperty("name")}: {probe}; muted {muted:F2}-{unmuted:F2} s; longest gap {before:F2}-{after:F2}");
                Assert.InRange(before, muted - 0.5, muted + 1);
                Assert.InRange(after, unmuted - 0.5, unmuted + 1.5);
            }
        }
    }

    [Fact]
    public async Task A_recording_whose_disk_falls_to_the_free_space_floor_ends_with_its_files_finished_and_the_call_goes_on()
    {
        await using var server = await SwitchboardProcess.StartAsync(["--Signaling:AllowAnonymous=true", $"--Media:Recording:MinFreeBytes={640 * 1024}"],
            role: "all", recordingsDiskBytes: 1024 * 1024);
        await using var ann = await JoinAsync(server, "rec-floor", "Ann");
        await using var ben = await JoinAsync(server, "rec-floor", "Ben");
        await ben.WaitForReceivedMediaAsync(1, 1);
        using var api = await AdminAsync(server);
        string id = (await StartAsync(api, "rec-floor")).GetProperty("id").GetString()!;
        await ann.WaitUntilAsync("window.switchboard.room.recording === true", "the recording to start");

        await ann.WaitUntilAsync("window.switchboard.room.recording === false", "the recording to stop at the floor", TimeSpan.FromSeconds(90));
        JsonElement info = await WaitEndedAsync(api, id);
        Assert.Equal("failed", info.GetProperty("state").GetString());
        Assert.StartsWith("the disk ran short of space", info.GetProperty("error").GetString());
        Assert.Contains("Media:Recording:MinFreeBytes", info.GetProperty("error").GetString());
        Assert.Contains("ran short of space", server.OutputTail());
        await AssertFilesPlayAsync(api, id, info, finished: true);

        // Nothing more starts on that disk, with the reason; the call goes on.
        var again = await api.PostAsJsonAsync("api/rooms/rec-floor/recordings", new { });
        Assert.Equal(HttpStatusCode.InsufficientStorage, again.StatusCode);
        Assert.Contains("Media:Recording:MinFreeBytes", await again.Content.ReadAsStringAsync());
        await ben.WaitForReceivedMediaAsync(1, 1);
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task A_recording_whose_disk_fills_up_ends_with_an_error_its_files_playing_to_the_last_whole_second_and_the_call_goes_on()
    {
        // No floor: the disk fills for real, and a write fails with ENOSPC.
        await using var server = await SwitchboardProcess.StartAsync(["--Signaling:AllowAnonymous=true", "--Media:Recording:MinFreeBytes=0"],
            role: "all", recordingsDiskBytes: 512 * 1024);
        await using var ann = await JoinAsync(server, "rec-full", "Ann");
        await using var ben = await JoinAsync(server, "rec-full", "Ben");
        await ben.WaitForReceivedMediaAsync(1, 1);
        using var api = await AdminAsync(server);
        string id = (await StartAsync(api, "rec-full")).GetProperty("id").GetString()!;
        await ann.WaitUntilAsync("window.switchboard.room.recording === true", "the recording to start");

        await ann.WaitUntilAsync("window.switchboard.room.recording === false", "the recording to stop when the disk is full", TimeSpan.FromSeconds(90));
        JsonElement info = await WaitEndedAsync(api, id);
        Assert.Equal("failed", info.GetProperty("state").GetString());
        Assert.Contains("No space left on device", info.GetProperty("error").GetString());
        await AssertFilesPlayAsync(api, id, info, finished: false);
        await ben.WaitForReceivedMediaAsync(1, 1);
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task A_room_set_to_record_is_recorded_from_the_first_join_until_the_last_participant_leaves()
    {
        using var api = await AdminAsync(app.Server);
        var created = await api.PostAsJsonAsync("api/rooms", new { name = "rec-auto", record = true });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("record").GetBoolean());
        await using var ann = await JoinAsync(app.Server, "rec-auto", "Ann");
        await ann.WaitUntilAsync("window.switchboard.room.recording === true && !document.getElementById('recording').hidden", "the recording indicator");
        await ann.WaitUntilAsync("window.switchboard.room.tracks.size >= 2", "Ann's tracks at the server");
        await Task.Delay(TimeSpan.FromSeconds(4));
        // The last participant leaves (removed by the API: a page that only closes keeps its place for the resume window).
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"api/rooms/rec-auto/participants/{await ann.ParticipantIdAsync()}")).StatusCode);

        JsonElement recording = default;
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(20); await Task.Delay(250))
        {
            recording = (await api.GetFromJsonAsync<JsonElement>("api/recordings?room=rec-auto")).EnumerateArray().SingleOrDefault();
            if (recording.ValueKind == JsonValueKind.Object && recording.GetProperty("state").GetString() == "stopped") break;
        }
        Assert.True(recording.ValueKind == JsonValueKind.Object && recording.GetProperty("state").GetString() == "stopped", $"the recording did not end: {recording}\n{app.Server.OutputTail(8000)}");
        using var directory = new TempDirectory("recording-auto");
        var files = recording.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(2, files.Count);
        foreach (JsonElement file in files)
        {
            string path = await DownloadAsync(api, recording.GetProperty("id").GetString()!, file.GetProperty("name").GetString()!, directory.Path);
            Assert.InRange((await MediaFiles.ProbeAsync(path)).DurationSeconds, 3, 6);
            Assert.Equal("", await MediaFiles.DecodeErrorsAsync(path));
        }
    }

    /// <summary>A Chromium participant (the fixture's browser) in a room of <paramref name="server"/>, connected.</summary>
    private async Task<Participant> JoinAsync(SwitchboardProcess server, string room, string name, string extraScript = "")
    {
        var person = await Participant.OpenAsync(app.Browser, server.HttpBase, room, name, initScript: Media + extraScript);
        await person.WaitConnectedAsync();
        return person;
    }

    private static async Task<HttpClient> AdminAsync(SwitchboardProcess server)
    {
        var client = new HttpClient { BaseAddress = server.HttpBase };
        client.DefaultRequestHeaders.Authorization = new("Bearer", await server.TokenCreateAsync("--identity", "backend", "--admin"));
        return client;
    }

    private static async Task<JsonElement> StartAsync(HttpClient api, string room)
    {
        var response = await api.PostAsJsonAsync($"api/rooms/{room}/recordings", new { });
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    /// <summary>Starts an export, waits for it (its progress rising to 1), downloads and probes its file, which must decode without an error.</summary>
    private async Task<MediaFiles.Probe> ExportAsync(HttpClient api, string id, object request, string directory)
    {
        var response = await api.PostAsJsonAsync($"api/recordings/{id}/exports", request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {body}");
        string exportId = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        JsonElement export = default;
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromMinutes(2); await Task.Delay(250))
        {
            export = await api.GetFromJsonAsync<JsonElement>($"api/recordings/{id}/exports/{exportId}");
            if (export.GetProperty("state").GetString() != "running") break;
        }
        Assert.True(export.GetProperty("state").GetString() == "done", export.ToString());
        Assert.Equal(1, export.GetProperty("progress").GetDouble());
        string path = await DownloadAsync(api, id, export.GetProperty("file").GetString()!, directory);
        var probe = await MediaFiles.ProbeAsync(path);
        output.WriteLine($"export {request}: {probe}");
        Assert.Equal("", await MediaFiles.DecodeErrorsAsync(path));
        return probe;
    }

    /// <summary>The recording once it ended (its files closed), as the API shows it.</summary>
    private async Task<JsonElement> WaitEndedAsync(HttpClient api, string id)
    {
        JsonElement info = default;
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(20); await Task.Delay(250))
        {
            info = await api.GetFromJsonAsync<JsonElement>($"api/recordings/{id}");
            if (info.TryGetProperty("endedAt", out var ended) && ended.ValueKind == JsonValueKind.String) break;
        }
        output.WriteLine($"recording: {info}");
        return info;
    }

    /// <summary>Every file of the recording plays (ffprobe reads it, with or without its durations) and decodes without an error.</summary>
    private async Task AssertFilesPlayAsync(HttpClient api, string id, JsonElement info, bool finished)
    {
        using var directory = new TempDirectory("recording-disk");
        var files = info.GetProperty("files").EnumerateArray().ToList();
        Assert.True(files.Count >= 4, $"fewer files than tracks: {info}");
        foreach (JsonElement file in files)
        {
            string path = await DownloadAsync(api, id, file.GetProperty("name").GetString()!, directory.Path);
            var probe = await MediaFiles.ProbeAsync(path);
            output.WriteLine($"{Path.GetFileName(path)}: {new FileInfo(path).Length} bytes, {probe}");
            if (finished) Assert.True(probe.Finished, $"{Path.GetFileName(path)} has no duration: not finished");
            Assert.True(probe.DurationSeconds > 1, $"{Path.GetFileName(path)} holds {probe.DurationSeconds} s");
            Assert.Equal("", await MediaFiles.DecodeErrorsAsync(path));
        }
    }

    private static async Task<string> DownloadAsync(HttpClient api, string id, string name, string directory)
    {
        string path = Path.Combine(directory, name);
        await File.WriteAllBytesAsync(path, await api.GetByteArrayAsync($"api/recordings/{id}/files/{name}"));
        return path;
    }
}
