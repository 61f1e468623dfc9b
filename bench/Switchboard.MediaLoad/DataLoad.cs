using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Switchboard.Bench;
using Switchboard.Media.Sfu.Data;

namespace Switchboard.MediaLoad;

/// <summary>
/// <c>--target data</c>: connects one sender and the receivers to one room's data bus, then the sender queues frames
/// of <see cref="DataOptions.Size"/> payload bytes for everyone as fast as its send queue allows. After the warm-up it
/// measures for the duration: frames sent, frames each receiver got, and the server's CPU time per delivered message
/// and megabyte; then it stops sending and waits for what is still on the way before counting the loss.
/// </summary>
internal static class DataLoad
{
    private const double MB = 1e6;

    public static async Task<int> RunAsync(DataOptions options)
    {
        var run = new DataRun(options);
        var sender = new DataParticipant(run, "sender");
        var receivers = Enumerable.Range(0, options.Receivers).Select(i => new DataParticipant(run, string.Create(CultureInfo.InvariantCulture, $"receiver-{i}"))).ToList();
        List<DataParticipant> everyone = [sender, .. receivers];
        using var timers = new TimerThread(everyone, run);

        var connecting = Stopwatch.StartNew();
        var connected = await run.ConnectAllAsync(everyone, (p, c) => p.ConnectAsync(c));
        double connectSeconds = connecting.Elapsed.TotalSeconds;
        var listening = receivers.Where(connected.Contains).ToList();
        if (!connected.Contains(sender) || listening.Count == 0)
        {
            foreach (string problem in run.Problems) Console.Error.WriteLine("problem: " + problem);
            foreach (DataParticipant participant in everyone) participant.Dispose();
            return 1;
        }

        byte[] frame = new DataFrame(DataFrameFlags.None, "bench", [], RandomNumberGenerator.GetBytes(options.Size)).Write();
        using var stop = new CancellationTokenSource();
        var sending = new Thread(() => sender.SendUntil(frame, options.Size, options.Lossy, stop.Token)) { IsBackground = true, Name = "sender" };
        sending.Start();
        await Task.Delay(TimeSpan.FromSeconds(options.Warmup));

        long sentBefore = Interlocked.Read(ref sender.Sent);
        long[] receivedBefore = [.. listening.Select(r => Interlocked.Read(ref r.Received))];
        long[] bytesBefore = [.. listening.Select(r => Interlocked.Read(ref r.ReceivedBytes))];
        double serverCpuBefore = ProcessStats.CpuSeconds(options.ServerPid), toolCpuBefore = ProcessStats.CpuSeconds(Environment.ProcessId);
        var measured = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(options.Duration));
        double seconds = measured.Elapsed.TotalSeconds;
        double serverCpu = ProcessStats.CpuSeconds(options.ServerPid) - serverCpuBefore, toolCpu = ProcessStats.CpuSeconds(Environment.ProcessId) - toolCpuBefore;
        long sent = Interlocked.Read(ref sender.Sent) - sentBefore;
        long[] received = [.. listening.Select((r, i) => Interlocked.Read(ref r.Received) - receivedBefore[i])];
        long[] receivedBytes = [.. listening.Select((r, i) => Interlocked.Read(ref r.ReceivedBytes) - bytesBefore[i])];

        stop.Cancel();
        sending.Join();
        await DrainAsync(listening);
        long sentTotal = Interlocked.Read(ref sender.Sent), deliveredTotal = listening.Sum(r => Interlocked.Read(ref r.Received));
        long expectedTotal = sentTotal * listening.Count;

        long delivered = received.Sum(), deliveredBytes = receivedBytes.Sum();
        bool server = options.ServerPid is not null;
        var result = new
        {
            target = "data",
            size = options.Size,
            mode = options.Lossy ? "lossy" : "reliable",
            receivers = options.Receivers,
            receiversConnected = listening.Count,
            connectSeconds = Math.Round(connectSeconds, 2),
            seconds = Math.Round(seconds, 2),
            sentPerSecond = Math.Round(sent / seconds),
            sentMBPerSecond = Math.Round(sent * (double)options.Size / seconds / MB, 3),
            // Each receiver's rate, then all of them together: what the server delivered.
            receivedPerSecondPerReceiver = Math.Round(received.Average() / seconds),
            receivedPerSecondMin = Math.Round(received.Min() / seconds),
            receivedPerSecondMax = Math.Round(received.Max() / seconds),
            receivedMBPerSecondPerReceiver = Math.Round(receivedBytes.Average() / seconds / MB, 3),
            deliveredPerSecond = Math.Round(delivered / seconds),
            deliveredMBPerSecond = Math.Round(deliveredBytes / seconds / MB, 3),
            // Over the whole sending (warm-up included), once what was on the way arrived: frames sent x receivers less frames received.
            framesSent = sentTotal,
            framesDelivered = deliveredTotal,
            lossPercent = expectedTotal > 0 ? Math.Round(100.0 * Math.Max(0, expectedTotal - deliveredTotal) / expectedTotal, 3) : double.NaN,
            serverCpuSecondsPer1000Delivered = server && delivered > 0 ? Math.Round(serverCpu * 1000 / delivered, 6) : double.NaN,
            serverCpuSecondsPerDeliveredMB = server && deliveredBytes > 0 ? Math.Round(serverCpu * MB / deliveredBytes, 5) : double.NaN,
            serverCoresUsed = server ? Math.Round(serverCpu / seconds, 3) : double.NaN,
            loadToolCpuSecondsPer1000Delivered = delivered > 0 ? Math.Round(toolCpu * 1000 / delivered, 6) : double.NaN,
            loadToolCoresUsed = Math.Round(toolCpu / seconds, 3),
            serverRssMiB = server ? Math.Round(ProcessStats.ResidentBytes(options.ServerPid) / 1048576.0, 1) : double.NaN,
            senderQueueFull = sender.QueueFull,
            sender = sender.State(),
            // The receivers' associations added up (their congestion windows too): what the server sent them and how it packed it.
            receiversTotal = AssociationState.Sum(listening.Select(r => r.State())),
            notices = everyone.Sum(p => Interlocked.Read(ref p.Notices)),
            serverErrors = run.ServerErrors,
            problems = run.Problems.Count,
        };
        foreach (string problem in run.Problems) Console.Error.WriteLine("problem: " + problem);
        Console.WriteLine(JsonSerializer.Serialize(result, LoadArguments.Json));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"data {result.mode} {options.Size} B, 1 sender x {listening.Count}/{options.Receivers} receivers: sent {result.sentPerSecond}/s ({result.sentMBPerSecond} MB/s), " +
            $"each receiver {result.receivedPerSecondPerReceiver}/s ({result.receivedMBPerSecondPerReceiver} MB/s), delivered {result.deliveredPerSecond}/s " +
            $"({result.deliveredMBPerSecond} MB/s), loss {result.lossPercent} %; server {result.serverCpuSecondsPer1000Delivered} CPU s per 1,000 delivered, " +
            $"{result.serverCpuSecondsPerDeliveredMB} per MB ({result.serverCoresUsed} cores); {run.Problems.Count} problems"));
        foreach (DataParticipant participant in everyone) participant.Dispose();
        return delivered > 0 && listening.Count == options.Receivers ? 0 : 1;
    }

    /// <summary>
    /// Waits until the receivers' counts stop moving for 3 s (at most 15 s): what was on the way has arrived, a
    /// retransmission after the server's RTO (at least 1 s) included.
    /// </summary>
    private static async Task DrainAsync(List<DataParticipant> receivers)
    {
        long last = -1;
        var still = Stopwatch.StartNew();
        var limit = Stopwatch.StartNew();
        while (limit.Elapsed < TimeSpan.FromSeconds(15) && still.Elapsed < TimeSpan.FromSeconds(3))
        {
            long now = receivers.Sum(r => Interlocked.Read(ref r.Received));
            if (now != last) still.Restart();
            last = now;
            await Task.Delay(100);
        }
    }

    /// <summary>One thread runs every participant's association timers every 10 ms.</summary>
    private sealed class TimerThread : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;

        public TimerThread(IReadOnlyList<DataParticipant> participants, DataRun run)
        {
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    long now = run.NowMillis;
                    foreach (DataParticipant participant in participants) participant.OnTimer(now);
                    Thread.Sleep(10);
                }
            })
            { IsBackground = true, Name = "sctp timers" };
            _thread.Start();
        }

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }
    }
}
