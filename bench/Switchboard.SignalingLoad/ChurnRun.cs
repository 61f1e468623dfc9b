using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Bench;

namespace Switchboard.SignalingLoad;

/// <summary>
/// <c>--mode churn</c> (Switchboard's native protocol): clients that keep joining and leaving rooms, for a soak run.
/// Each of <c>--clients</c> loops connects, joins one of <c>--rooms</c> rooms anonymously, sends a direct message to
/// another participant when there is one, a broadcast and a state update, reads what comes for a moment, and ends the
/// session in one of four ways in turn: <c>leave</c>; a dropped connection (the participant stays for the resume
/// window, then times out); a WebSocket close without <c>leave</c>; a dropped connection resumed at once on a new one
/// (<c>resume</c>), then <c>leave</c>. Then it pauses up to <c>--pause-ms</c> and starts again. A JSON line every
/// <c>--report-every</c> seconds counts what the last interval did; the last line sums up the run.
/// </summary>
public static class ChurnRun
{
    public const string Usage = """
        Usage: Switchboard.SignalingLoad --mode churn --url ws://127.0.0.1:8080/ws [options]
          --clients N        loops joining and leaving at once (default 16)
          --rooms R          rooms they spread over (default 40), named churn-0 ...
          --duration S       seconds to run (default 60)
          --pause-ms M       largest pause between two sessions of a loop (default 200)
          --report-every S   seconds between JSON lines (default 10)
        """;

    private static readonly string[] Counted = ["sessions", "joins", "leaves", "drops", "closes", "resumes", "messages", "received"];

    public static async Task<int> RunAsync(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2) values[args[i].TrimStart('-')] = args[i + 1];
        if (args.Length % 2 != 0 || !values.TryGetValue("url", out string? url))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        double Double(string name, double fallback) => values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var server = new Uri(url);
        int clients = Int("clients", 16), rooms = Int("rooms", 40), pauseMs = Int("pause-ms", 200);
        double duration = Double("duration", 60), reportEvery = Double("report-every", 10);

        var counts = new ConcurrentDictionary<string, long>();
        foreach (string name in Counted) counts[name] = 0;
        var errors = new ConcurrentDictionary<string, long>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(duration));
        var started = Stopwatch.StartNew();
        var loops = Enumerable.Range(0, clients).Select(i => Task.Run(() => LoopAsync(i, server, rooms, pauseMs, counts, errors, stop.Token))).ToList();

        var last = new Dictionary<string, long>();
        using (var timer = new PeriodicTimer(TimeSpan.FromSeconds(reportEvery)))
        {
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token))
                {
                    var now = Counted.ToDictionary(n => n, n => counts[n]);
                    var line = new Dictionary<string, object> { ["churn"] = "interval", ["t"] = Math.Round(started.Elapsed.TotalSeconds, 1) };
                    foreach (string name in Counted) line[name] = now[name] - last.GetValueOrDefault(name);
                    line["errors"] = errors.Values.Sum();
                    last = now;
                    Console.WriteLine(JsonSerializer.Serialize(line));
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
        await Task.WhenAll(loops);
        var total = new Dictionary<string, object> { ["churn"] = "total", ["t"] = Math.Round(started.Elapsed.TotalSeconds, 1) };
        foreach (string name in Counted) total[name] = counts[name];
        total["errors"] = errors.ToDictionary();
        Console.WriteLine(JsonSerializer.Serialize(total));
        return counts["joins"] > 0 ? 0 : 1;
    }

    private static async Task LoopAsync(int loop, Uri server, int rooms, int pauseMs, ConcurrentDictionary<string, long> counts,
        ConcurrentDictionary<string, long> errors, CancellationToken stop)
    {
        var random = new Random(loop);
        for (long session = 0; !stop.IsCancellationRequested; session++)
        {
            string room = string.Create(CultureInfo.InvariantCulture, $"churn-{random.Next(rooms)}");
            try
            {
                await SessionAsync(server, room, (int)((session + loop) % 4), random, counts, stop);
                counts.AddOrUpdate("sessions", 1, (_, n) => n + 1);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is WebSocketException or InvalidOperationException or OperationCanceledException or JsonException)
            {
                errors.AddOrUpdate(e is InvalidOperationException ? e.Message : e.GetType().Name, 1, (_, n) => n + 1);
            }
            try { await Task.Delay(random.Next(pauseMs + 1), stop); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One session: join, a few messages, then it ends the way <paramref name="ending"/> says (0 leave, 1 drop, 2 close, 3 drop and resume).</summary>
    private static async Task SessionAsync(Uri server, string room, int ending, Random random, ConcurrentDictionary<string, long> counts, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        var client = await Client.ConnectAsync(server, timeout.Token);
        try
        {
            client.Send(new JsonObject { ["type"] = "join", ["room"] = room, ["name"] = "churn", ["state"] = new JsonObject { ["audio"] = true } });
            JsonObject joined = await client.ReadUntilAsync("joined", timeout.Token);
            counts.AddOrUpdate("joins", 1, (_, n) => n + 1);
            string? other = (joined["participants"] as JsonArray)?.Select(p => p?["id"]?.GetValue<string>()).FirstOrDefault(id => id is not null);
            if (other is not null) client.Send(new JsonObject { ["type"] = "message", ["to"] = other, ["data"] = new JsonObject { ["text"] = "hello" } });
            client.Send(new JsonObject { ["type"] = "message", ["data"] = new JsonObject { ["text"] = "everyone" } });
            client.Send(new JsonObject { ["type"] = "update", ["state"] = new JsonObject { ["audio"] = false } });
            counts.AddOrUpdate("messages", other is null ? 2 : 3, (_, n) => n + (other is null ? 2 : 3));
            long drained = await client.DrainAsync(TimeSpan.FromMilliseconds(50 + random.Next(250)), timeout.Token);
            counts.AddOrUpdate("received", drained, (_, n) => n + drained);
            switch (ending)
            {
                case 0:
                    await client.LeaveAsync(timeout.Token);
                    counts.AddOrUpdate("leaves", 1, (_, n) => n + 1);
                    break;
                case 1:
                    client.Dispose();
                    counts.AddOrUpdate("drops", 1, (_, n) => n + 1);
                    break;
                case 2:
                    await client.CloseAsync(timeout.Token);
                    counts.AddOrUpdate("closes", 1, (_, n) => n + 1);
                    break;
                default:
                    string token = joined["resumeToken"]!.GetValue<string>();
                    long lastSeq = client.LastSeq;
                    client.Dispose();
                    var again = await Client.ConnectAsync(server, timeout.Token);
                    try
                    {
                        again.Send(new JsonObject { ["type"] = "resume", ["resumeToken"] = token, ["lastSeq"] = lastSeq });
                        await again.ReadUntilAsync("resumed", timeout.Token);
                        counts.AddOrUpdate("resumes", 1, (_, n) => n + 1);
                        await again.LeaveAsync(timeout.Token);
                        counts.AddOrUpdate("leaves", 1, (_, n) => n + 1);
                    }
                    finally { again.Dispose(); }
                    break;
            }
        }
        finally { client.Dispose(); }
    }

    /// <summary>A bare client: JSON messages over one WebSocket, answering the server's pings.</summary>
    private sealed class Client : IDisposable
    {
        private readonly ClientWebSocket _socket = new();
        private byte[] _buffer = new byte[16 * 1024];
        private Task<(byte[] Buffer, int Length, WebSocketMessageType Type)>? _pending; // a receive outlives a read given up on

        public long LastSeq { get; private set; }
        public long Received { get; private set; }

        public static async Task<Client> ConnectAsync(Uri server, CancellationToken cancel)
        {
            var client = new Client();
            client._socket.Options.KeepAliveInterval = TimeSpan.Zero;
            await client._socket.ConnectAsync(server, cancel);
            return client;
        }

        public void Send(JsonObject message) =>
            _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None).GetAwaiter().GetResult();

        private async Task<JsonObject?> ReadAsync(CancellationToken cancel)
        {
            _pending ??= WebSocketMessage.ReceiveAsync(_socket, _buffer);
            var (buffer, length, type) = await _pending.WaitAsync(cancel);
            _pending = null;
            _buffer = buffer;
            if (type == WebSocketMessageType.Close) return null;
            var message = JsonNode.Parse(buffer.AsSpan(0, length)) as JsonObject ?? [];
            if (message["seq"] is JsonValue seq) LastSeq = Math.Max(LastSeq, seq.GetValue<long>());
            string? kind = message["type"]?.GetValue<string>();
            if (kind == "ping") Send(new JsonObject { ["type"] = "pong" });
            if (kind == "error" && message["code"]?.GetValue<string>() is string code and not "participant-not-found")
                throw new InvalidOperationException("server error " + code);
            Received++;
            return message;
        }

        public async Task<JsonObject> ReadUntilAsync(string type, CancellationToken cancel)
        {
            while (true)
            {
                JsonObject message = await ReadAsync(cancel) ?? throw new InvalidOperationException($"closed before {type}");
                if (message["type"]?.GetValue<string>() == type) return message;
            }
        }

        /// <summary>Reads what comes for <paramref name="time"/>; returns how many messages that was.</summary>
        public async Task<long> DrainAsync(TimeSpan time, CancellationToken cancel)
        {
            long before = Received;
            using var window = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            window.CancelAfter(time);
            try
            {
                while (await ReadAsync(window.Token) is not null) { }
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
            }
            return Received - before;
        }

        public async Task LeaveAsync(CancellationToken cancel)
        {
            Send(new JsonObject { ["type"] = "leave" });
            while (await ReadAsync(cancel) is not null) { } // the server closes the socket
        }

        public async Task CloseAsync(CancellationToken cancel) => await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cancel);

        public void Dispose()
        {
            _socket.Abort();
            _socket.Dispose();
        }
    }
}
