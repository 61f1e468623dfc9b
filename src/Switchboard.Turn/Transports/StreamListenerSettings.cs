using Switchboard.Turn.Configuration;
using Switchboard.Turn.Diagnostics;

namespace Switchboard.Turn.Transports;

/// <summary>Limits of a <see cref="StreamListener"/>; the defaults are those of <see cref="TurnOptions"/>.</summary>
public sealed record StreamListenerSettings
{
    /// <summary>Connections at once on the listener; more are closed as they come.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Connections per source, shared with the server's other stream listener.</summary>
    public SourceConnectionLimiter Sources { get; init; } = new(new TurnOptions().MaxConnectionsPerSource);

    /// <summary>Bytes queued for a client that it has not read yet; beyond them it is dropped.</summary>
    public int SendQueueBytes { get; init; } = new TurnOptions().SendQueueBytes;

    /// <summary>A message whose first bytes arrived must be whole within this, however the rest trickles in.</summary>
    public TimeSpan MessageTimeout { get; init; } = TimeSpan.FromSeconds(new TurnOptions().MessageTimeoutSeconds);

    /// <summary>A connection without an allocation (since it was accepted, or since its allocation ended) is closed after this.</summary>
    public TimeSpan AllocateWithin { get; init; } = TimeSpan.FromSeconds(new TurnOptions().AllocateWithinSeconds);

    /// <summary>Counts the connections closed, by reason.</summary>
    public TurnMetrics? Metrics { get; init; }

    /// <summary>The settings from the configuration; <paramref name="sources"/> is shared by the TCP and TLS listeners.</summary>
    public static StreamListenerSettings From(TurnOptions options, TurnMetrics metrics, SourceConnectionLimiter sources) => new()
    {
        Sources = sources,
        SendQueueBytes = options.SendQueueBytes,
        MessageTimeout = TimeSpan.FromSeconds(options.MessageTimeoutSeconds),
        AllocateWithin = TimeSpan.FromSeconds(options.AllocateWithinSeconds),
        Metrics = metrics,
    };
}
