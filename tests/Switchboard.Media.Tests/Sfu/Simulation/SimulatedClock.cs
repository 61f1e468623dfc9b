namespace Switchboard.Media.Tests.Sfu.Simulation;

/// <summary>The simulation's time: a monotonic clock in microseconds that moves only when the harness advances it.</summary>
internal sealed class SimulatedClock : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Microseconds since the start; begins at one second, so that no time the SFU keeps reads as "never" (0).</summary>
    public long NowMicros { get; private set; } = 1_000_000;

    public long NowMillis => NowMicros / 1000;

    public override long TimestampFrequency => 1_000_000;

    public override long GetTimestamp() => NowMicros;

    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(NowMicros * 10);

    public void Advance(long micros) => NowMicros += micros;
}
