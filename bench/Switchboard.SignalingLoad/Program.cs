// A load tool for signaling servers (Switchboard's native protocol, or the PeerJS server's): N WebSocket
// clients in rooms of K relay offer/candidate-sized messages in a closed loop; it reports messages per second,
// relay latency (p50/p99/max) and the server's memory per connection. docs/benchmarks.md shows how it is run.
// --mode churn (first): clients that keep joining and leaving rooms, for soak runs (ChurnRun.Usage).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Switchboard.Bench;
using Switchboard.SignalingLoad;

if (args.Length >= 2 && args[0] == "--mode" && args[1] == "churn") return await ChurnRun.RunAsync(args[2..]);

LoadOptions options;
try { options = LoadOptions.Parse(args); }
catch (FormatException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var dialect = SignalingDialect.For(options.Target);
var run = new LoadRun(options);
var clients = new SimulatedClient[options.Clients];
for (int i = 0; i < clients.Length; i++)
{
    int first = i / options.RoomSize * options.RoomSize;
    var members = Enumerable.Range(first, Math.Min(options.RoomSize, clients.Length - first)).ToArray();
    clients[i] = new SimulatedClient(i, members, dialect, run);
}

long rssBefore = ProcessStats.ResidentBytes(options.ServerPid);
var connecting = Stopwatch.StartNew();
using (var gate = new SemaphoreSlim(options.ConnectConcurrency))
{
    await Task.WhenAll(clients.Select(async client =>
    {
        await gate.WaitAsync();
        try { await client.ConnectAsync(options.Url, $"load-{client.Index / options.RoomSize}"); }
        catch (Exception e) { run.Error("connect: " + e.GetType().Name); }
        finally { gate.Release(); }
    }));
}
var ready = clients.Select(c => c.Ready).ToArray();
await Task.WhenAny(Task.WhenAll(ready), Task.Delay(TimeSpan.FromSeconds(120)));
int connected = ready.Count(t => t.IsCompletedSuccessfully);
var connectSeconds = connecting.Elapsed.TotalSeconds;
long rssConnected = ProcessStats.ResidentBytes(options.ServerPid);

// Each room starts T messages circulating.
foreach (var client in clients.Where(c => c.Ready.IsCompletedSuccessfully && c.Index % options.RoomSize < options.TokensPerRoom)) client.SendNext();
await Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds));
run.StartMeasuring();
double cpuBefore = ProcessStats.CpuSeconds(options.ServerPid);
double clientCpuBefore = ProcessStats.CpuSeconds(Environment.ProcessId);
var measured = Stopwatch.StartNew();
await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
run.StopMeasuring();
var seconds = measured.Elapsed.TotalSeconds;
double cpuSeconds = ProcessStats.CpuSeconds(options.ServerPid) - cpuBefore;
double clientCpuSeconds = ProcessStats.CpuSeconds(Environment.ProcessId) - clientCpuBefore;
long rssPeak = ProcessStats.PeakBytes(options.ServerPid);
long rssEnd = ProcessStats.ResidentBytes(options.ServerPid);
run.Stopping = true;
foreach (var client in clients) client.Dispose();

var result = new
{
    target = options.Target,
    clients = options.Clients,
    roomSize = options.RoomSize,
    tokensPerRoom = options.TokensPerRoom,
    connected,
    connectSeconds = Math.Round(connectSeconds, 2),
    messagesPerSecond = Math.Round(run.DeliveredCount / seconds),
    p50Ms = run.Latency.Percentile(0.50),
    p99Ms = run.Latency.Percentile(0.99),
    maxMs = run.Latency.Max(),
    serverCpuMsPer1000Messages = run.DeliveredCount > 0 && options.ServerPid is not null ? Math.Round(cpuSeconds * 1e6 / run.DeliveredCount, 1) : double.NaN,
    clientCpuMsPer1000Messages = run.DeliveredCount > 0 ? Math.Round(clientCpuSeconds * 1e6 / run.DeliveredCount, 1) : double.NaN,
    serverRssMiB = Math.Round(rssEnd / 1048576.0, 1),
    serverPeakRssMiB = Math.Round(rssPeak / 1048576.0, 1),
    serverKiBPerConnection = connected > 0 && rssConnected > 0 ? Math.Round((rssConnected - rssBefore) / 1024.0 / connected, 1) : double.NaN,
    errors = run.Errors.ToDictionary(),
};
// NaN: a figure that could not be measured (no --server-pid).
Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{options.Target}: {connected}/{options.Clients} connected in {connectSeconds:F1} s; {result.messagesPerSecond:N0} msg/s; " +
    $"latency p50 {result.p50Ms:F2} ms, p99 {result.p99Ms:F2} ms, max {result.maxMs:F1} ms; server CPU {result.serverCpuMsPer1000Messages} ms per 1000 messages (load tool {result.clientCpuMsPer1000Messages}); server RSS {result.serverRssMiB} MiB " +
    $"(peak {result.serverPeakRssMiB}), {result.serverKiBPerConnection} KiB per connection; errors: {run.Errors.Sum(e => e.Value)}"));
return connected == options.Clients ? 0 : 1;
