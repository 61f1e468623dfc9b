namespace Switchboard.Media.Contracts;

/// <summary>
/// One participant's media as the SFU sees it now, for the operator's "why is this call bad?": how it is connected,
/// the round trip and loss both ways, what it publishes and what it receives (and why that layer), and what happened lately.
/// </summary>
/// <param name="Transport">"udp" or "tcp" (ICE-TCP); null before ICE selected a path.</param>
/// <param name="Remote">The address its media comes from (a TURN server's relayed address when it goes through TURN).</param>
/// <param name="RoundTripMs">From its RTCP receiver reports on what the SFU sends it (RFC 3550 §6.4.1); null until one named a sender report.</param>
/// <param name="LossIn">Fraction of its packets lost on the way to the SFU over the last report interval (0..1), the worst of its streams.</param>
/// <param name="LossOut">Fraction of the SFU's packets it reported lost over its last report interval (0..1), the worst of its streams.</param>
/// <param name="JitterInMs">Interarrival jitter of what it sends (RFC 3550 §6.4.1), the worst of its streams.</param>
/// <param name="JitterOutMs">The jitter it reports on what the SFU sends it, the worst of its streams.</param>
/// <param name="BandwidthEstimate">Bit/s the path to it carries, from its transport-wide feedback or REMB; null while unknown.</param>
public sealed record ParticipantMediaStatistics(string ParticipantId, bool Connected, string? Transport, string? Remote, double? RoundTripMs,
    double? LossIn, double? LossOut, double? JitterInMs, double? JitterOutMs, long? BandwidthEstimate, bool Congested, long BitrateIn, long BitrateOut,
    IReadOnlyList<PublishedTrackStatistics> Published, IReadOnlyList<SubscriptionStatistics> Subscriptions, IReadOnlyList<MediaEventEntry> Events)
{
    /// <summary>Its media reaches the SFU through a TURN relay of this server (<see cref="Remote"/> is one of its relayed addresses).</summary>
    public bool Relayed { get; init; }
}

/// <summary>A published track (its source as clients name it, <see cref="TrackSources"/>): its bit rate as received, and its simulcast layers (one for a track without simulcast).</summary>
public sealed record PublishedTrackStatistics(string TrackId, string Source, bool Muted, long Bitrate, IReadOnlyList<LayerStatistics> Layers);

/// <summary>A simulcast layer of a published track: its size (0 while unknown, and for audio) and its bit rate now.</summary>
public sealed record LayerStatistics(int Index, string? Rid, int Width, int Height, long Bitrate);

/// <summary>
/// A track the participant receives: the layer forwarded to it (null: none yet), the one chosen (it switches at that
/// layer's keyframe), and why that one (<see cref="LayerReasons"/>).
/// </summary>
public sealed record SubscriptionStatistics(string TrackId, string PublisherId, string Source, int? ForwardedLayer, int TargetLayer, int Layers,
    long Bitrate, string Reason);

/// <summary>Why a subscriber receives the layer it does.</summary>
public static class LayerReasons
{
    /// <summary>It does not show the track (off screen, or turned off): nothing is forwarded.</summary>
    public const string Paused = "paused";

    /// <summary>Its publisher's track is muted: nothing is forwarded.</summary>
    public const string Muted = "muted";

    /// <summary>The layer chosen has not started: it waits for that layer's keyframe.</summary>
    public const string AwaitingKeyframe = "awaiting-keyframe";

    /// <summary>A higher layer would fit the size it renders, but not its share of the path's bandwidth.</summary>
    public const string Bandwidth = "bandwidth";

    /// <summary>A higher layer exists, but it renders the track small enough for this one.</summary>
    public const string RenderedSize = "rendered-size";

    /// <summary>It gets the best layer the publisher sends now (or the track has no simulcast).</summary>
    public const string Best = "best";
}

/// <summary>
/// Something that happened to a participant's media (layer switches, keyframe requests, connections): when (Unix ms,
/// the last time), what, and how many times in a row.
/// </summary>
public sealed record MediaEventEntry(long At, string Kind, string Detail, int Count);
