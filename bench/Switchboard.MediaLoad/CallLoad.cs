using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Switchboard.MediaLoad;

/// <summary>
/// <c>--target call</c>: N participants in one SFU room, each publishing a microphone and a three-layer simulcast camera
/// and receiving everyone else, for a long run: one participant's path loses <c>--loss-percent</c> of the datagrams
/// each way, one participant makes a new peer connection every <c>--reconnect-every</c> seconds, one (in turn) leaves
/// the room and joins again every <c>--rejoin-every</c> seconds, every participant changes the size it renders each
/// camera at every 20 s, and the loudest speaker changes every 5 s. A line of JSON every <c>--report-every</c>
/// seconds tells what the last interval carried; the last line sums up the run.
/// </summary>
internal static class CallLoad
{
    public static async Task<int> RunAsync(CallOptions options)
    {
        var run = new CallRun(options);
        var participants = Enumerable.Range(0, options.Participants).Select(i => new CallParticipant(run, i)).ToList();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.Duration));
        var started = Stopwatch.StartNew();

        foreach (CallParticipant participant in participants)
        {
            try
            {
                using var connect = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await participant.JoinAsync(connect.Token);
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or TimeoutException or System.Net.WebSockets.WebSocketException)
            {
                run.Problem($"{participant.Name}: did not connect: {e.Message}");
            }
        }
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"call: {participants.Count(p => p.Connected)} of {participants.Count} participants connected in {started.Elapsed.TotalSeconds:0.0} s"));

        using var pacer = new Pacer(participants);
        var control = Task.WhenAll(
            Every(options.ReconnectEvery, async _ =>
            {
                CallParticipant reconnecting = participants[^1];
                try { await reconnecting.ReconnectAsync(stop.Token); }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.Net.WebSockets.WebSocketException)
                {
                    run.Problem($"{reconnecting.Name}: reconnect failed: {e.Message}");
                }
            }, stop.Token),
            Every(options.RejoinEvery, async round =>
            {
                // In turn, never the one that reconnects nor the one on the lossy path.
                CallParticipant rejoining = participants[1 + round % Math.Max(1, participants.Count - 2)];
                try { await rejoining.RejoinAsync(stop.Token); }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.Net.WebSockets.WebSocketException)
                {
                    run.Problem($"{rejoining.Name}: rejoin failed: {e.Message}");
                }
            }, stop.Token),
            Every(20, _ =>
            {
                foreach (CallParticipant participant in participants) participant.ChangeLayout();
                return Task.CompletedTask;
            }, stop.Token),
            Every(options.ReportEvery, _ =>
            {
                Console.WriteLine(JsonSerializer.Serialize(run.Interval(started.Elapsed.TotalSeconds, participants.Count(p => p.Connected)), LoadArguments.Json));
                return Task.CompletedTask;
            }, stop.Token));
        try { await control; }
        catch (OperationCanceledException) { }

        pacer.Dispose();
        int connected = participants.Count(p => p.Connected);
        var total = run.Total(started.Elapsed.TotalSeconds, connected);
        foreach (string problem in run.Problems.Take(50)) Console.Error.WriteLine("problem: " + problem);
        Console.WriteLine(JsonSerializer.Serialize(total, LoadArguments.Json));
        foreach (CallParticipant participant in participants) participant.Dispose();
        return connected == options.Participants && run.Received > 0 ? 0 : 1;
    }

    /// <summary>Runs <paramref name="action"/> every <paramref name="seconds"/> (0: never) until <paramref name="stop"/>; its argument counts the rounds.</summary>
    private static async Task Every(double seconds, Func<int, Task> action, CancellationToken stop)
    {
        if (seconds <= 0) return;
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds));
            for (int round = 0; await timer.WaitForNextTickAsync(stop); round++) await action(round);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One thread sends every participant's media when due and, every 100 ms, its feedback; the loudest speaker changes every 5 s.</summary>
    private sealed class Pacer : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;

        public Pacer(IReadOnlyList<CallParticipant> participants)
        {
            _thread = new Thread(() =>
            {
                long nextFeedback = 0, nextSecond = 0;
                var started = Stopwatch.StartNew();
                while (!_stop)
                {
                    long now = Environment.TickCount64, elapsed = started.ElapsedMilliseconds;
                    int speaker = (int)(elapsed / 5000 % participants.Count);
                    foreach (CallParticipant participant in participants)
                        participant.Peer?.SendDue(participant.Index == speaker ? (byte)30 : (byte)110);
                    if (elapsed >= nextFeedback)
                    {
                        nextFeedback = elapsed + 100;
                        bool second = elapsed >= nextSecond;
                        if (second) nextSecond = elapsed + 1000;
                        foreach (CallParticipant participant in participants) participant.Peer?.SendFeedback(now, second);
                    }
                    Thread.Sleep(2);
                }
            })
            { IsBackground = true, Name = "call pacer" };
            _thread.Start();
        }

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }
    }
}

/// <summary>What the participants of a call run share: settings, counters (all of them cumulative), problems.</summary>
internal sealed class CallRun(CallOptions options)
{
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly ConcurrentDictionary<string, int> _serverErrors = new();
    private Dictionary<string, long> _last = [];

    public CallOptions Options { get; } = options;

    public long Sent, Received, Expected, Unique, RtxReceived, Retransmitted, NacksSent, NacksReceived, PlisSent, KeyframeRequestsReceived,
        KeyframesSent, KeyframesOnRequest, KeyframesReceived, Offers, Renegotiations, Reconnects, Rejoins, LayoutChanges;

    /// <summary>Video packets received per simulcast layer (q, h, f).</summary>
    public readonly long[] VideoByLayer = new long[3];

    public IReadOnlyCollection<string> Problems => _problems;

    public void Problem(string text)
    {
        if (_problems.Count < 1000) _problems.Enqueue(text);
    }

    public void ServerError(string who, string code, string? message)
    {
        if (_serverErrors.AddOrUpdate(code, 1, (_, n) => n + 1) == 1) Problem($"{who}: server error {code}: {message}");
    }

    private Dictionary<string, long> Counters() => new()
    {
        ["sent"] = Interlocked.Read(ref Sent),
        ["received"] = Interlocked.Read(ref Received),
        ["expected"] = Interlocked.Read(ref Expected),
        ["unique"] = Interlocked.Read(ref Unique),
        ["rtxReceived"] = Interlocked.Read(ref RtxReceived),
        ["retransmitted"] = Interlocked.Read(ref Retransmitted),
        ["nacksSent"] = Interlocked.Read(ref NacksSent),
        ["nacksReceived"] = Interlocked.Read(ref NacksReceived),
        ["plisSent"] = Interlocked.Read(ref PlisSent),
        ["keyframeRequestsReceived"] = Interlocked.Read(ref KeyframeRequestsReceived),
        ["keyframesSent"] = Interlocked.Read(ref KeyframesSent),
        ["keyframesOnRequest"] = Interlocked.Read(ref KeyframesOnRequest),
        ["keyframesReceived"] = Interlocked.Read(ref KeyframesReceived),
        ["videoQ"] = Interlocked.Read(ref VideoByLayer[0]),
        ["videoH"] = Interlocked.Read(ref VideoByLayer[1]),
        ["videoF"] = Interlocked.Read(ref VideoByLayer[2]),
        ["offers"] = Interlocked.Read(ref Offers),
        ["renegotiations"] = Interlocked.Read(ref Renegotiations),
        ["reconnects"] = Interlocked.Read(ref Reconnects),
        ["rejoins"] = Interlocked.Read(ref Rejoins),
        ["layoutChanges"] = Interlocked.Read(ref LayoutChanges),
    };

    /// <summary>The counters' increase since the last call, with the loss over it.</summary>
    public Dictionary<string, object> Interval(double seconds, int connected)
    {
        var now = Counters();
        var delta = now.ToDictionary(p => p.Key, p => p.Value - _last.GetValueOrDefault(p.Key));
        _last = now;
        return Line("interval", seconds, connected, delta);
    }

    public Dictionary<string, object> Total(double seconds, int connected) => Line("total", seconds, connected, Counters());

    private Dictionary<string, object> Line(string kind, double seconds, int connected, Dictionary<string, long> counts)
    {
        var line = new Dictionary<string, object> { ["call"] = kind, ["t"] = Math.Round(seconds, 1), ["connected"] = connected };
        foreach (var (key, value) in counts) line[key] = value;
        long expected = counts["expected"];
        line["rawLossPercent"] = expected > 0 ? Math.Round(100.0 * Math.Max(0, expected - counts["received"]) / expected, 3) : double.NaN;
        line["residualLossPercent"] = expected > 0 ? Math.Round(100.0 * Math.Max(0, expected - counts["unique"]) / expected, 3) : double.NaN;
        line["problems"] = _problems.Count;
        line["serverErrors"] = _serverErrors.ToDictionary();
        return line;
    }
}

internal sealed record CallOptions(Uri Url, string Room, int Participants, double Duration, double LossPercent, double ReconnectEvery,
    double RejoinEvery, double ReportEvery, long[] LayerBitrates);
