namespace Switchboard.Protocols.Tests.Sctp.Simulation;

/// <summary>What a simulated link does to packets, the same both ways.</summary>
public sealed record LinkSettings
{
    /// <summary>One-way propagation delay.</summary>
    public int DelayMillis { get; init; } = 50;

    /// <summary>Extra delay drawn uniformly from [0, JitterMillis] per packet: packets overtake each other.</summary>
    public int JitterMillis { get; init; }

    public double LossRate { get; init; }
    public double DuplicationRate { get; init; }

    /// <summary>Serialization rate per direction; 0 for none.</summary>
    public long BytesPerSecond { get; init; }

    /// <summary>With a bandwidth, packets that would wait longer than this to be sent are dropped (a drop-tail queue).</summary>
    public int QueueLimitMillis { get; init; } = int.MaxValue;

    public int Seed { get; init; } = 1;
}
