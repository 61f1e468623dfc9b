using System.Globalization;
using System.Text.Json;

namespace Switchboard.Server.Cli;

/// <summary>
/// The server's side of a load test: its overview (GET /api/overview, a sample a second) read while the tool runs, and
/// summed up after: CPU (average and peak), memory, connections, participants, media peers, bit rates, loss and TURN.
/// </summary>
internal sealed class LoadWatch(HttpClient http)
{
    private readonly Dictionary<string, (double Sum, double Peak)> _series = new(StringComparer.Ordinal);
    private int _samples;
    private long _after;
    private string? _problem;

    public async Task RunAsync(CancellationToken stop)
    {
        // Only what the server sampled from now on.
        _after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
            }
            catch (OperationCanceledException)
            {
            }
            await ReadAsync();
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            using HttpResponseMessage response = await http.GetAsync($"api/overview?after={_after.ToString(CultureInfo.InvariantCulture)}");
            if (!response.IsSuccessStatusCode)
            {
                _problem = $"{(int)response.StatusCode} {response.ReasonPhrase}";
                return;
            }
            JsonElement overview = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            string[] names = [.. overview.GetProperty("names").EnumerateArray().Select(n => n.GetString()!)];
            JsonElement times = overview.GetProperty("time"), values = overview.GetProperty("values");
            int count = times.GetArrayLength();
            for (int sample = 0; sample < count; sample++)
            {
                for (int i = 0; i < names.Length; i++)
                {
                    double value = values[i][sample].GetDouble();
                    var (sum, peak) = _series.GetValueOrDefault(names[i]);
                    _series[names[i]] = (sum + value, _samples == 0 ? value : Math.Max(peak, value));
                }
                _samples++;
            }
            if (count > 0) _after = times[count - 1].GetInt64();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            _problem = e.Message;
        }
    }

    /// <summary>"server over 12 s: cpu 35.2% on average (peak 48.0%), memory peak 210 MiB, ...".</summary>
    public string Summary()
    {
        if (_samples == 0) return $"server: no overview read{(_problem is null ? "" : $" ({_problem})")}";
        double Average(string name) => _series.GetValueOrDefault(name).Sum / _samples;
        double Peak(string name) => _series.GetValueOrDefault(name).Peak;
        return string.Create(CultureInfo.InvariantCulture,
            $"server over {_samples} s: cpu {Average("cpuPercent"):0.0}% on average (peak {Peak("cpuPercent"):0.0}%), memory peak {Peak("memoryMiB"):0} MiB, " +
            $"peaks: connections {Peak("connections")}, participants {Peak("participants")}, peers {Peak("peers")}, " +
            $"in {Peak("bitrateIn") / 1e6:0.00} Mbit/s, out {Peak("bitrateOut") / 1e6:0.00} Mbit/s, lost {Peak("packetsLost"):0}/s, " +
            $"turn allocations {Peak("turnAllocations")}, relayed {Peak("turnBitrate") / 1e6:0.00} Mbit/s");
    }
}
