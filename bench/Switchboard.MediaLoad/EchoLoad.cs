using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Switchboard.Bench;

namespace Switchboard.MediaLoad;

/// <summary>
/// <c>--target switchboard</c> (the echo, <c>POST /api/echo</c>) and <c>--target janus</c> (Janus's EchoTest): every
/// peer streams audio and video and counts what comes back.
/// </summary>
internal static class EchoLoad
{
    public static async Task<int> RunAsync(LoadArguments arguments)
    {
        string target = arguments.Get("target", "switchboard");
        bool janus = target == "janus";
        var server = new Uri(janus ? arguments.Get("janus", "http://127.0.0.1:8088/janus").TrimEnd('/') + "/" : arguments.Get("server", "http://127.0.0.1:8080/"));
        int peerCount = arguments.Int("peers", 10);
        double seconds = arguments.Double("seconds", 10);
        double warmup = arguments.Double("warmup", 3);
        double videoKbps = arguments.Double("video-kbps", 1000);
        int? serverPid = arguments.OptionalInt("server-pid");

        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        var roundTrips = new LatencyHistogram();
        var peers = Enumerable.Range(0, peerCount).Select(_ => new EchoPeer(roundTrips)).ToList();
        using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        using (var gate = new SemaphoreSlim(8))
        {
            await Task.WhenAll(peers.Select(async peer =>
            {
                await gate.WaitAsync(cancel.Token);
                try { await (janus ? peer.ConnectJanusAsync(http, cancel.Token) : peer.ConnectAsync(http, cancel.Token)); }
                finally { gate.Release(); }
            }));
        }

        // One sender thread paces every peer: audio every 20 ms, video at the rate that gives --video-kbps.
        double audioInterval = 0.020, videoInterval = EchoPeer.VideoPayload * 8 / (videoKbps * 1000);
        var start = Stopwatch.GetTimestamp();
        var next = peers.Select((_, i) => (Audio: i * audioInterval / peerCount, Video: i * videoInterval / peerCount)).ToArray();
        double measuredFrom = warmup, measuredTo = warmup + seconds;
        long sentAtStart = 0, receivedAtStart = 0;
        double serverCpuAtStart = 0, clientCpuAtStart = 0;
        bool measuring = false;
        while (true)
        {
            double now = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (!measuring && now >= measuredFrom)
            {
                measuring = true;
                sentAtStart = peers.Sum(p => p.Sent);
                receivedAtStart = peers.Sum(p => Interlocked.Read(ref p.Received));
                serverCpuAtStart = ProcessStats.CpuSeconds(serverPid);
                clientCpuAtStart = ProcessStats.CpuSeconds(Environment.ProcessId);
                roundTrips.Reset();
            }
            if (now >= measuredTo) break;
            for (int i = 0; i < peers.Count; i++)
            {
                while (next[i].Audio <= now) { peers[i].SendAudio(); next[i].Audio += audioInterval; }
                while (next[i].Video <= now) { peers[i].SendVideo(); next[i].Video += videoInterval; }
            }
            Thread.Sleep(1);
        }
        await Task.Delay(200); // the last echoes
        long sent = peers.Sum(p => p.Sent) - sentAtStart;
        long received = peers.Sum(p => Interlocked.Read(ref p.Received)) - receivedAtStart;
        double serverCpu = ProcessStats.CpuSeconds(serverPid) - serverCpuAtStart;
        double clientCpu = ProcessStats.CpuSeconds(Environment.ProcessId) - clientCpuAtStart;

        var result = new
        {
            target,
            peers = peerCount,
            seconds,
            videoKbps,
            sentPerSecond = Math.Round(sent / seconds),
            echoedPerSecond = Math.Round(received / seconds),
            lossPercent = sent > 0 ? Math.Round(100.0 * Math.Max(0, sent - received) / sent, 3) : 0,
            roundTripP50Ms = Math.Round(roundTrips.Percentile(0.50), 2),
            roundTripP99Ms = Math.Round(roundTrips.Percentile(0.99), 2),
            serverCpuMicrosecondsPerPacket = serverPid is not null && received > 0 ? Math.Round(serverCpu * 1e6 / received, 2) : double.NaN,
            serverCoresUsed = serverPid is not null ? Math.Round(serverCpu / seconds, 2) : double.NaN,
            loadToolCpuMicrosecondsPerPacket = received > 0 ? Math.Round(clientCpu * 1e6 / received, 2) : double.NaN,
            serverRssMiB = serverPid is not null ? ProcessStats.ResidentBytes(serverPid) / (1 << 20) : 0,
        };
        Console.WriteLine(JsonSerializer.Serialize(result, LoadArguments.Json));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{target} {peerCount} peers: sent {result.sentPerSecond}/s, echoed {result.echoedPerSecond}/s, loss {result.lossPercent} %, round trip p50 {result.roundTripP50Ms} ms p99 {result.roundTripP99Ms} ms; " +
            $"server {result.serverCpuMicrosecondsPerPacket} µs CPU per echoed packet ({result.serverCoresUsed} cores), load tool {result.loadToolCpuMicrosecondsPerPacket} µs; server RSS {result.serverRssMiB} MiB"));
        foreach (var peer in peers) peer.Dispose();
        return received > 0 ? 0 : 1;
    }
}
