namespace Switchboard.Media.Contracts;

/// <summary>A participant's SDP offer, what each of its sections carries, and the grants it holds (<paramref name="MaySendData"/>: on the room's data bus).</summary>
public sealed record MediaOffer(string Sdp, IReadOnlyList<OfferedTrack> Publish, IReadOnlyList<WantedTrack> Subscribe,
    bool MayPublish, bool MaySubscribe, bool MaySendData = false);

/// <summary>A section the participant sends: its mid, its source, and its simulcast layers low to high (none: one stream).</summary>
public sealed record OfferedTrack(string Mid, TrackSource Source, bool Muted = false, IReadOnlyList<OfferedLayer>? Layers = null);

/// <summary>One simulcast encoding by its rid (RFC 8851), with the size the publisher sends it at (0: unknown).</summary>
public sealed record OfferedLayer(string Rid, int Width = 0, int Height = 0);

/// <summary>A <c>recvonly</c> section of the participant and the track it is to carry.</summary>
public sealed record WantedTrack(string Mid, string TrackId);

/// <summary>How a subscriber renders a track: its size (0: unknown) and whether it wants it at all.</summary>
public readonly record struct TrackSettings(int Width, int Height, bool Enabled);
