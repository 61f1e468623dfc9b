using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Switchboard.MediaLoad;

/// <summary>
/// <c>--target sfu --record-token TOKEN</c>: records the load's room through the REST API (an admin token), as an
/// operator would: <c>POST /api/rooms/{room}/recordings</c> with <c>{}</c> after the warm-up, <c>POST
/// /api/recordings/{id}/stop</c> after the measured window (it answers once every file is finished). The report is the
/// stopped recording's files (bytes, durations) against the time between the start's answer and the stop.
/// </summary>
internal sealed class SfuRecording
{
    private readonly HttpClient _http;
    private readonly Stopwatch _recording;

    private SfuRecording(HttpClient http, string id)
    {
        _http = http;
        Id = id;
        _recording = Stopwatch.StartNew();
    }

    public string Id { get; }

    public static async Task<SfuRecording> StartAsync(Uri url, string room, string token)
    {
        var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.PostAsync($"api/rooms/{Uri.EscapeDataString(room)}/recordings", new StringContent("{}", Encoding.UTF8, "application/json"));
        string body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"starting the recording: {(int)response.StatusCode} {body}");
        using var document = JsonDocument.Parse(body);
        return new SfuRecording(http, document.RootElement.GetProperty("id").GetString()!);
    }

    /// <summary>Stops the recording and reads what it wrote.</summary>
    public async Task<object> StopAsync()
    {
        double recordedSeconds = _recording.Elapsed.TotalSeconds;
        var stopping = Stopwatch.StartNew();
        using var response = await _http.PostAsync($"api/recordings/{Uri.EscapeDataString(Id)}/stop", null);
        string body = await response.Content.ReadAsStringAsync();
        double stopSeconds = stopping.Elapsed.TotalSeconds;
        _http.Dispose();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"stopping the recording: {(int)response.StatusCode} {body}");
        using var document = JsonDocument.Parse(body);
        JsonElement root = document.RootElement;
        var files = root.GetProperty("files").EnumerateArray().Select(f => new
        {
            name = f.GetProperty("name").GetString(),
            kind = f.TryGetProperty("kind", out var kind) ? kind.GetString() : null,
            codec = f.TryGetProperty("codec", out var codec) ? codec.GetString() : null,
            bytes = f.GetProperty("bytes").GetInt64(),
            durationSeconds = f.TryGetProperty("durationSeconds", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetDouble() : double.NaN,
        }).ToList();
        var media = files;
        return new
        {
            id = Id,
            state = root.GetProperty("state").GetString(),
            error = root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null,
            // From the start's answer to the stop request: what each file's duration should come close to.
            recordedSeconds = Math.Round(recordedSeconds, 2),
            stopSeconds = Math.Round(stopSeconds, 2),
            files = media.Count,
            audioFiles = media.Count(f => f.kind == "audio"),
            videoFiles = media.Count(f => f.kind == "video"),
            bytes = media.Sum(f => f.bytes),
            bytesPerSecond = recordedSeconds > 0 ? Math.Round(media.Sum(f => f.bytes) / recordedSeconds) : double.NaN,
            minDurationSeconds = media.Count > 0 ? Math.Round(media.Min(f => f.durationSeconds), 2) : double.NaN,
            maxDurationSeconds = media.Count > 0 ? Math.Round(media.Max(f => f.durationSeconds), 2) : double.NaN,
            fileList = files,
        };
    }
}
