using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Switchboard.Bench;

namespace Switchboard.MediaLoad;

/// <summary>
/// <c>--target sfu</c> and <c>whep</c>: connects the publishers (join, offer, ICE, DTLS), starts the pacer, connects the subscribers,
/// waits out the warm-up, then measures for the duration: packets the subscribers received per second, their loss and
/// one-way latency, the server's CPU time per forwarded packet and its memory, and the server's media counters.
/// </summary>
internal static partial class SfuLoad
{
    /// <summary>The exporter's <c>otel_scope_name</c> label, the same on every series of a meter: left out of the report.</summary>
    [GeneratedRegex("""(?<=\{)otel_scope_name="[^"]*",?|\{otel_scope_name="[^"]*"\}""")]
    private static partial Regex ScopeLabel();

    public static async Task<int> RunAsync(SfuOptions options)
    {
        var run = new SfuRun(options);
        using var http = new HttpClient { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(10) };
        await ScrapeAsync(http); // the exporter starts listening on the first scrape, as in production
        var publishers = Enumerable.Range(0, options.Publishers).Select(i => new SfuPublisher(run, i)).ToList();
        var subscribers = Enumerable.Range(0, options.Subscribers).Select(i => new SfuSubscriber(run, i)).ToList();

        var connecting = Stopwatch.StartNew();
        var connectedPublishers = await run.ConnectAllAsync(publishers, (p, c) => p.ConnectAsync(c));
        double publishersSeconds = connecting.Elapsed.TotalSeconds;
        foreach (SfuPublisher failed in publishers.Except(connectedPublishers))
            if (failed.ParticipantId is { } id) run.Publishers.TryRemove(id, out _); // subscribers wait only for the tracks of those that made it
        using var pacer = new Pacer(connectedPublishers, subscribers, options.VideoKbps);
        var connectedSubscribers = connectedPublishers.Count == 0 ? []
            : await run.ConnectAllAsync(subscribers, (s, c) => options.Whep ? s.ConnectByWhepAsync(http, c) : s.ConnectAsync(c));
        double connectSeconds = connecting.Elapsed.TotalSeconds;

        await using SfuChromiumRecorder? chromium = options.ChromiumRecorder is null || connectedPublishers.Count == 0 ? null
            : await SfuChromiumRecorder.StartAsync(options.ChromiumRecorder, options.Url, options.Room, connectedPublishers.Count, TimeSpan.FromSeconds(30));

        await Task.Delay(TimeSpan.FromSeconds(Math.Max(options.Warmup, options.FirstPacketLimit.TotalSeconds + 0.5)));

        // Recording starts after the warm-up and runs a moment before the window, so that its start (the recorders'
        // keyframe requests, the files' creation) is not in it; it stops after the window.
        SfuRecording? recording = null;
        if (options.RecordToken is not null)
        {
            recording = await SfuRecording.StartAsync(options.Url, options.Room, options.RecordToken);
            await Task.Delay(TimeSpan.FromSeconds(options.RecordSettle));
        }

        var metricsBefore = await ScrapeAsync(http);
        long sentBefore = connectedPublishers.Sum(p => p.AudioSent + p.VideoSent), retransmittedBefore = connectedPublishers.Sum(p => p.Retransmitted);
        long receivedBefore = connectedSubscribers.Sum(s => Interlocked.Read(ref s.Received));
        foreach (SfuSubscriber subscriber in connectedSubscribers) subscriber.BeginWindow();
        run.Latency.Reset();
        double serverCpuBefore = ProcessStats.CpuSeconds(options.ServerPid), toolCpuBefore = ProcessStats.CpuSeconds(Environment.ProcessId);
        if (chromium is not null) await chromium.BeginWindowAsync();
        var measured = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(options.Duration));
        double seconds = measured.Elapsed.TotalSeconds;
        double serverCpu = ProcessStats.CpuSeconds(options.ServerPid) - serverCpuBefore, toolCpu = ProcessStats.CpuSeconds(Environment.ProcessId) - toolCpuBefore;
        object? chromiumResult = chromium is null ? null : await chromium.EndWindowAsync();
        long sent = connectedPublishers.Sum(p => p.AudioSent + p.VideoSent) - sentBefore;
        long retransmitted = connectedPublishers.Sum(p => p.Retransmitted) - retransmittedBefore;
        long received = connectedSubscribers.Sum(s => Interlocked.Read(ref s.Received)) - receivedBefore;
        var windows = connectedSubscribers.Select(s => s.EndWindow()).ToList();
        double p50 = run.Latency.Percentile(0.50), p99 = run.Latency.Percentile(0.99), max = run.Latency.Max();
        var metricsAfter = await ScrapeAsync(http);
        object? recordingResult = null;
        if (recording is not null)
        {
            try { recordingResult = await recording.StopAsync(); }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TaskCanceledException) { run.Problem($"recording {recording.Id}: {e.Message}"); }
        }
        pacer.Dispose();

        long expected = windows.Sum(w => w.Expected), windowReceived = windows.Sum(w => w.Received);
        int subscribedTracks = connectedSubscribers.Sum(s => s.SubscribedTracks);
        List<double?> firstAudio = [.. connectedSubscribers.SelectMany(s => s.FirstPacketMilliseconds(false))];
        List<double?> firstVideo = [.. connectedSubscribers.SelectMany(s => s.FirstPacketMilliseconds(true))];
        List<double?> firstKeyframe = [.. connectedSubscribers.SelectMany(s => s.FirstKeyframeMilliseconds())];
        List<double?> firstKeyframeSinceOffer = [.. connectedSubscribers.SelectMany(s => s.FirstKeyframeMilliseconds(sinceOffer: true))];
        double forwardedPerSecond = received / seconds;
        double serverCores = serverCpu / seconds;
        var result = new
        {
            target = options.Whep ? "whep" : "sfu",
            publishers = options.Publishers,
            subscribers = options.Subscribers,
            publishersConnected = connectedPublishers.Count,
            subscribersConnected = connectedSubscribers.Count,
            subscribedTracks,
            connectSeconds = Math.Round(connectSeconds, 2),
            publishersConnectSeconds = Math.Round(publishersSeconds, 2),
            seconds = Math.Round(seconds, 2),
            videoKbps = options.VideoKbps,
            publishersSentPerSecond = Math.Round(sent / seconds),
            retransmittedPerSecond = Math.Round(retransmitted / seconds, 1),
            // Every subscriber receives every publisher's two tracks, so this is what a lossless forwarder delivers.
            expectedForwardedPerSecond = Math.Round(sent / seconds * connectedSubscribers.Count),
            forwardedPerSecond = Math.Round(forwardedPerSecond),
            lossPercent = expected > 0 ? Math.Round(100.0 * Math.Max(0, expected - windowReceived) / expected, 3) : double.NaN,
            streamsMeasured = windows.Sum(w => w.Streams),
            latencyP50Ms = Math.Round(p50, 2),
            latencyP99Ms = Math.Round(p99, 2),
            latencyMaxMs = Math.Round(max, 2),
            // Each subscriber's mean: a spread that grows with the subscriber count is the server's fan-out order.
            subscriberMeanLatencyMinMs = windows.Count > 0 ? Math.Round(windows.Min(w => w.MeanLatencyMs), 2) : double.NaN,
            subscriberMeanLatencyMaxMs = windows.Count > 0 ? Math.Round(windows.Max(w => w.MeanLatencyMs), 2) : double.NaN,
            serverCpuSecondsPerMillionForwarded = options.ServerPid is not null && received > 0 ? Math.Round(serverCpu * 1e6 / received, 2) : double.NaN,
            serverCoresUsed = options.ServerPid is not null ? Math.Round(serverCores, 3) : double.NaN,
            forwardedPerServerCoreSecond = options.ServerPid is not null && serverCores > 0 ? Math.Round(forwardedPerSecond / serverCores) : double.NaN,
            loadToolCpuSecondsPerMillionForwarded = received > 0 ? Math.Round(toolCpu * 1e6 / received, 2) : double.NaN,
            serverRssMiB = options.ServerPid is not null ? Math.Round(ProcessStats.ResidentBytes(options.ServerPid) / 1048576.0, 1) : double.NaN,
            serverPeakRssMiB = options.ServerPid is not null ? Math.Round(ProcessStats.PeakBytes(options.ServerPid) / 1048576.0, 1) : double.NaN,
            firstAudioPacketMs = Summary(firstAudio),
            firstVideoPacketMs = Summary(firstVideo),
            firstKeyframeMs = Summary(firstKeyframe),
            // From the subscriber's offer (the WHEP POST, or media-offer) to its first keyframe: what a viewer waits for a picture.
            firstKeyframeSinceOfferMs = Summary(firstKeyframeSinceOffer),
            keyframesSent = connectedPublishers.Sum(p => p.Keyframes),
            keyframesOnRequest = connectedPublishers.Sum(p => p.KeyframesOnRequest),
            pliReceived = connectedPublishers.Sum(p => p.PliReceived),
            firReceived = connectedPublishers.Sum(p => p.FirReceived),
            nackedPackets = connectedPublishers.Sum(p => p.NackedPackets),
            retransmitted = connectedPublishers.Sum(p => p.Retransmitted),
            nackedNotInHistory = connectedPublishers.Sum(p => p.NotInHistory),
            keyframesReceived = connectedSubscribers.Sum(s => s.Keyframes),
            videoStartedWithoutKeyframe = connectedSubscribers.Sum(s => s.VideoStartedWithoutKeyframe),
            rtxReceived = connectedSubscribers.Sum(s => s.RtxReceived),
            senderReportsReceived = connectedSubscribers.Sum(s => s.SenderReports),
            unreadableReceived = connectedSubscribers.Sum(s => s.Unreadable),
            unexpectedPayloadType = connectedSubscribers.Sum(s => s.UnexpectedPayloadType),
            srtpDiscarded = connectedSubscribers.Sum(s => s.Discarded) + connectedPublishers.Sum(p => p.Discarded),
            serverErrors = run.ServerErrors,
            problems = run.Problems.Count,
            serverMetrics = Deltas(metricsBefore, metricsAfter),
            recording = recordingResult,
            chromiumRecorder = chromiumResult,
        };
        foreach (string problem in run.Problems) Console.Error.WriteLine("problem: " + problem);
        Console.WriteLine(JsonSerializer.Serialize(result, LoadArguments.Json));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.target} {connectedPublishers.Count}/{options.Publishers} publishers x {connectedSubscribers.Count}/{options.Subscribers} subscribers: " +
            $"publishers sent {result.publishersSentPerSecond}/s, forwarded {result.forwardedPerSecond}/s (lossless: {result.expectedForwardedPerSecond}/s), loss {result.lossPercent} %, " +
            $"one-way p50 {result.latencyP50Ms} ms p99 {result.latencyP99Ms} ms; server {result.serverCpuSecondsPerMillionForwarded} CPU s per million forwarded " +
            $"({result.serverCoresUsed} cores, {result.forwardedPerServerCoreSecond} forwarded per core-second), RSS {result.serverRssMiB} MiB; " +
            $"first keyframe p50 {result.firstKeyframeMs.P50} ms max {result.firstKeyframeMs.Max} ms after DTLS, " +
            $"p50 {result.firstKeyframeSinceOfferMs.P50} ms p95 {result.firstKeyframeSinceOfferMs.P95} ms after the offer; {run.Problems.Count} problems"));
        foreach (SfuSubscriber subscriber in subscribers) subscriber.Dispose();
        foreach (SfuPublisher publisher in publishers) publisher.Dispose();
        bool complete = connectedPublishers.Count == options.Publishers && connectedSubscribers.Count == options.Subscribers;
        return received > 0 && complete && (recording is null || recordingResult is not null) ? 0 : 1;
    }

    private static Distribution Summary(List<double?> values)
    {
        var present = values.Where(v => v is not null).Select(v => v!.Value).Order().ToList();
        double At(double fraction) => Math.Round(present[(int)Math.Ceiling(fraction * present.Count) - 1], 1);
        return present.Count == 0
            ? new Distribution(null, null, null, values.Count)
            : new Distribution(At(0.5), At(0.95), Math.Round(present[^1], 1), values.Count - present.Count);
    }

    /// <summary>Median, 95th percentile and largest of per-track times, and how many tracks never got there.</summary>
    private sealed record Distribution(
        [property: JsonPropertyName("p50")] double? P50,
        [property: JsonPropertyName("p95")] double? P95,
        [property: JsonPropertyName("max")] double? Max,
        [property: JsonPropertyName("missing")] int Missing);

    /// <summary>The server's <c>/metrics</c> as series to value (empty when it cannot be read).</summary>
    private static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient http)
    {
        var series = new Dictionary<string, double>();
        try
        {
            string text = await http.GetStringAsync("metrics");
            foreach (string line in text.Split('\n'))
            {
                if (line.Length == 0 || line[0] == '#') continue;
                int space = line.LastIndexOf(' ');
                if (space > 0 && double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                    series[ScopeLabel().Replace(line[..space], "")] = value;
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
        }
        return series;
    }

    /// <summary>The media server's series over the window: counters as their increase, gauges as their last value.</summary>
    private static Dictionary<string, double> Deltas(Dictionary<string, double> before, Dictionary<string, double> after)
    {
        var result = new Dictionary<string, double>();
        foreach (var (name, value) in after.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!(name.StartsWith("switchboard_media", StringComparison.Ordinal) || name.Contains("sfu", StringComparison.Ordinal)) || name.Contains("_bucket", StringComparison.Ordinal))
                continue;
            bool counter = name.Contains("_total", StringComparison.Ordinal) || name.Contains("_count", StringComparison.Ordinal) || name.Contains("_sum", StringComparison.Ordinal);
            result[name] = counter ? value - before.GetValueOrDefault(name) : value;
        }
        return result;
    }

    /// <summary>
    /// One thread paces every publisher (audio every 20 ms, a video frame every 1/30 s with the packets that give the
    /// video rate) and sends the RTCP reports (each publisher's SRs and each subscriber's RR) once a second.
    /// </summary>
    private sealed class Pacer : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;

        public Pacer(IReadOnlyList<SfuPublisher> publishers, IReadOnlyList<SfuSubscriber> subscribers, double videoKbps)
        {
            double packetsPerFrame = videoKbps * 1000 / 8 / SfuPublisher.VideoPayload / SfuPublisher.FramesPerSecond;
            _thread = new Thread(() =>
            {
                const double audioInterval = 0.020, frameInterval = 1.0 / SfuPublisher.FramesPerSecond;
                long start = Stopwatch.GetTimestamp();
                int count = Math.Max(1, publishers.Count);
                var next = publishers.Select((_, i) => (Audio: i * audioInterval / count, Video: i * frameInterval / count)).ToArray();
                var budget = new double[publishers.Count];
                double nextReports = 1;
                while (!_stop)
                {
                    double now = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    for (int i = 0; i < publishers.Count; i++)
                    {
                        while (next[i].Audio <= now) { publishers[i].SendAudio(); next[i].Audio += audioInterval; }
                        while (next[i].Video <= now)
                        {
                            budget[i] += packetsPerFrame;
                            int packets = Math.Max(1, (int)budget[i]);
                            budget[i] -= packets;
                            publishers[i].SendVideoFrame(packets);
                            next[i].Video += frameInterval;
                        }
                    }
                    if (now >= nextReports)
                    {
                        nextReports += 1;
                        foreach (SfuPublisher publisher in publishers) publisher.SendSenderReports();
                        foreach (SfuSubscriber subscriber in subscribers) subscriber.SendReceiverReport();
                    }
                    Thread.Sleep(1);
                }
            })
            { IsBackground = true, Name = "pacer" };
            _thread.Start();
        }

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }
    }
}
