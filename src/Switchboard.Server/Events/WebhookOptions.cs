namespace Switchboard.Server.Events;

/// <summary>Where room events are posted (docs/events.md); none by default.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Each receives every event, in order, signed with the API key's secret.</summary>
    public string[] Urls { get; set; } = [];

    /// <summary>How long one delivery may take before it counts as failed (a receiver that hangs).</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Tries per event (1 s, 2 s, 4 s ... up to 60 s apart) before it is given up and counted.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Events waiting for one receiver; beyond, the oldest is given up and counted.</summary>
    public int QueueLimit { get; set; } = 10_000;
}
