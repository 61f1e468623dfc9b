using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Switchboard.Turn.Diagnostics;

namespace Switchboard.Turn.Tests.Support;

/// <summary>Sums what one server's counters report, by instrument name and first tag value ("switchboard.turn.dropped.packets", "oversized").</summary>
public sealed class MetricCounts : IDisposable
{
    private readonly ConcurrentDictionary<(string Instrument, string? Tag), long> _counts = new();
    private readonly MeterListener _listener = new();

    public MetricCounts(TurnMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == metrics.Meter && instrument is Counter<long>) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            _counts.AddOrUpdate((instrument.Name, tags.Length > 0 ? tags[0].Value as string : null), value, (_, sum) => sum + value));
        _listener.Start();
    }

    public long this[string instrument, string? tag] => _counts.GetValueOrDefault((instrument, tag));

    /// <summary>switchboard_turn_dropped_packets_total{reason}.</summary>
    public long Dropped(string reason) => this["switchboard.turn.dropped.packets", reason];

    public void Dispose() => _listener.Dispose();
}
