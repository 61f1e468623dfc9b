using System.Diagnostics.Metrics;
using Switchboard.Turn.Diagnostics;

namespace Switchboard.Turn.Tests;

public class TurnMetricsTests
{
    [Fact]
    public void Relayed_packets_and_bytes_are_reported_by_direction()
    {
        using var metrics = new TurnMetrics();
        metrics.RelayedToPeer(100);
        metrics.RelayedToPeer(20);
        metrics.RelayedToClient(7);

        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == metrics.Meter && instrument.Name.StartsWith("switchboard.turn.relayed.", StringComparison.Ordinal))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            seen[$"{instrument.Name} {tags[0].Value}"] = value);
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(2, seen["switchboard.turn.relayed.packets to_peer"]);
        Assert.Equal(1, seen["switchboard.turn.relayed.packets to_client"]);
        Assert.Equal(120, seen["switchboard.turn.relayed.bytes to_peer"]);
        Assert.Equal(7, seen["switchboard.turn.relayed.bytes to_client"]);
    }
}
