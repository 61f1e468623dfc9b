using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Switchboard.MediaLoad;

/// <summary>
/// One Janus session with an EchoTest handle over Janus's plain HTTP API: <c>create</c>, <c>attach</c>, a
/// <c>message</c> with the offer, then long polls of the session until the event with the answer arrives. A keepalive
/// every 20 s holds the session open while media flows (Janus drops sessions idle for its session_timeout).
/// </summary>
internal sealed class JanusSession : IDisposable
{
    private readonly HttpClient _http;
    private readonly long _session;
    private readonly long _handle;
    private CancellationTokenSource? _keepAlive;

    private JanusSession(HttpClient http, long session, long handle)
    {
        _http = http;
        _session = session;
        _handle = handle;
    }

    /// <summary><paramref name="http"/>'s base address is the Janus API root, e.g. <c>http://127.0.0.1:8088/janus/</c>.</summary>
    public static async Task<JanusSession> CreateAsync(HttpClient http, CancellationToken cancel)
    {
        long session = Id(await PostAsync(http, "", new JsonObject { ["janus"] = "create", ["transaction"] = Transaction() }, cancel));
        long handle = Id(await PostAsync(http, S(session),
            new JsonObject { ["janus"] = "attach", ["plugin"] = "janus.plugin.echotest", ["transaction"] = Transaction() }, cancel));
        return new JanusSession(http, session, handle);
    }

    /// <summary>Sends the offer to the EchoTest (audio and video on) and returns the SDP of Janus's answer.</summary>
    public async Task<string> EchoTestAsync(string offer, CancellationToken cancel)
    {
        JsonNode reply = await PostAsync(_http, $"{S(_session)}/{S(_handle)}", new JsonObject
        {
            ["janus"] = "message",
            ["body"] = new JsonObject { ["audio"] = true, ["video"] = true },
            ["jsep"] = new JsonObject { ["type"] = "offer", ["sdp"] = offer },
            ["transaction"] = Transaction(),
        }, cancel);
        if (reply["jsep"]?["sdp"]?.GetValue<string>() is { } inline) return inline;
        while (true)
        {
            JsonNode? events = await _http.GetFromJsonAsync<JsonNode>($"{S(_session)}?maxev=1", cancel);
            foreach (JsonNode? e in events is JsonArray array ? array : new JsonArray(events?.DeepClone()))
            {
                if (e?["janus"]?.GetValue<string>() is "error" or "hangup") throw new InvalidOperationException($"Janus: {e.ToJsonString()}");
                if (e?["jsep"] is { } jsep && jsep["type"]?.GetValue<string>() == "answer") return jsep["sdp"]!.GetValue<string>();
            }
        }
    }

    /// <summary>Sends <c>keepalive</c> every 20 s until <paramref name="stop"/> or <see cref="Dispose"/>.</summary>
    public void KeepAlive(CancellationToken stop)
    {
        _keepAlive = CancellationTokenSource.CreateLinkedTokenSource(stop);
        CancellationToken token = _keepAlive.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await Task.Delay(TimeSpan.FromSeconds(20), token);
                    await PostAsync(_http, S(_session), new JsonObject { ["janus"] = "keepalive", ["transaction"] = Transaction() }, token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or InvalidOperationException)
            {
            }
        }, CancellationToken.None);
    }

    public void Dispose()
    {
        _keepAlive?.Cancel();
        _keepAlive?.Dispose();
    }

    private static async Task<JsonNode> PostAsync(HttpClient http, string path, JsonObject request, CancellationToken cancel)
    {
        using HttpResponseMessage response = await http.PostAsJsonAsync(path, request, cancel);
        response.EnsureSuccessStatusCode();
        JsonNode reply = await response.Content.ReadFromJsonAsync<JsonNode>(cancel) ?? throw new InvalidOperationException("Janus: empty reply");
        if (reply["janus"]?.GetValue<string>() == "error") throw new InvalidOperationException($"Janus: {reply.ToJsonString()}");
        return reply;
    }

    private static long Id(JsonNode reply) => reply["data"]!["id"]!.GetValue<long>();

    private static string S(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Transaction() => Guid.NewGuid().ToString("N");
}
