using System.Collections.Concurrent;
using Switchboard.Bench;

namespace Switchboard.SignalingLoad;

/// <summary>What a run counts: delivered messages and their latency (while measuring), and errors by kind.</summary>
public sealed class LoadRun(LoadOptions options)
{
    long _delivered;
    volatile bool _measuring;

    public LoadOptions Options => options;
    public LatencyHistogram Latency { get; private set; } = new();
    public ConcurrentDictionary<string, int> Errors { get; } = new();
    public bool Stopping { get; set; }
    public long DeliveredCount => Interlocked.Read(ref _delivered);

    public void StartMeasuring()
    {
        Latency = new LatencyHistogram();
        Interlocked.Exchange(ref _delivered, 0);
        _measuring = true;
    }

    public void StopMeasuring() => _measuring = false;

    public void Delivered(TimeSpan latency)
    {
        if (!_measuring) return;
        Interlocked.Increment(ref _delivered);
        Latency.Record(latency);
    }

    public void Error(string kind) => Errors.AddOrUpdate(kind, 1, (_, n) => n + 1);
}
