using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Switchboard.Server.Operations;

/// <summary>
/// The admin dashboard's overview (docs/admin.md): once a second it reads the server's own instruments (a
/// <see cref="MeterListener"/> over the Switchboard meters, the same numbers /metrics shows) and the process's CPU and
/// memory, and keeps the last hour in memory, so a page opened late has history.
/// </summary>
public sealed class OverviewSampler : BackgroundService
{
    public const int Kept = 3600;
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Queue<OverviewSample> _samples = new();
    private readonly Dictionary<string, double> _observed = new(StringComparer.Ordinal); // read at each sample
    private readonly Dictionary<string, double> _counted = new(StringComparer.Ordinal); // added up since the start
    private readonly Dictionary<string, double> _previous = new(StringComparer.Ordinal);
    private readonly HashSet<string> _wanted = [.. OverviewSeries.All.Select(s => s.Instrument)];
    private TimeSpan _previousCpu = Process.GetCurrentProcess().TotalProcessorTime;
    private long _previousAt;

    public OverviewSampler(TimeProvider time)
    {
        _time = time;
        _previousAt = time.GetTimestamp();
    }

    /// <summary>The series names, in the order of each sample's values (then cpu in % of one core, and memory in MiB).</summary>
    public static IReadOnlyList<string> Names { get; } = [.. OverviewSeries.All.Select(s => s.Name), "cpuPercent", "memoryMiB"];

    /// <summary>The samples taken after <paramref name="after"/> (unix seconds), oldest first.</summary>
    public IReadOnlyList<OverviewSample> Since(long after)
    {
        lock (_gate) return [.. _samples.Where(s => s.Time > after)];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (_wanted.Contains(instrument.Name)) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(instrument, value));
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Add(instrument, value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Add(instrument, value));
        listener.Start();
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false)) Sample(listener);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// A measurement: observable instruments report their whole value each time they are read (summed here over tags,
    /// from zero at each read); a plain counter reports increments, which add up for good.
    /// </summary>
    private void Add(Instrument instrument, double value)
    {
        Dictionary<string, double> into = instrument.IsObservable ? _observed : _counted;
        lock (_gate) into[instrument.Name] = into.GetValueOrDefault(instrument.Name) + value;
    }

    private void Sample(MeterListener listener)
    {
        lock (_gate) _observed.Clear();
        listener.RecordObservableInstruments();
        long now = _time.GetTimestamp();
        double seconds = Math.Max(_time.GetElapsedTime(_previousAt, now).TotalSeconds, 0.001);
        _previousAt = now;
        using var process = Process.GetCurrentProcess();
        TimeSpan cpu = process.TotalProcessorTime;
        double cpuPercent = (cpu - _previousCpu).TotalSeconds / seconds * 100;
        _previousCpu = cpu;

        lock (_gate)
        {
            var values = new double[Names.Count];
            for (int i = 0; i < OverviewSeries.All.Count; i++)
            {
                OverviewSeries series = OverviewSeries.All[i];
                double total = _observed.TryGetValue(series.Instrument, out double observed) ? observed : _counted.GetValueOrDefault(series.Instrument);
                if (series.PerSecond)
                {
                    double before = _previous.TryGetValue(series.Instrument, out double b) ? b : total;
                    _previous[series.Instrument] = total;
                    values[i] = Math.Max(0, total - before) / seconds * series.Scale;
                }
                else values[i] = total * series.Scale;
            }
            values[^2] = Math.Round(cpuPercent, 1);
            values[^1] = Math.Round(process.WorkingSet64 / (1024.0 * 1024), 1);
            _samples.Enqueue(new OverviewSample(_time.GetUtcNow().ToUnixTimeSeconds(), values));
            if (_samples.Count > Kept) _samples.Dequeue();
        }
    }
}

/// <param name="Time">Unix seconds.</param>
/// <param name="Values">In the order of <see cref="OverviewSampler.Names"/>.</param>
public sealed record OverviewSample(long Time, double[] Values);
