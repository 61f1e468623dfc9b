namespace Switchboard.Signaling.Media;

/// <summary>
/// The media server as the signaling hub sees it in <c>sfu</c> rooms (docs/signaling.md, "Media through the SFU"):
/// offers in, answers out, and room events (tracks, speakers, layers) that the hub delivers to participants.
/// Calls are cheap and do not block; events may be raised on any thread.
/// </summary>
public interface IRoomMedia
{
    /// <summary>False when no media server runs in this process (<c>media-unavailable</c>).</summary>
    bool IsAvailable { get; }

    MediaOfferOutcome Offer(string room, string participantId, MediaOfferRequest request);

    /// <summary>False when the participant publishes no track of that source.</summary>
    bool SetMuted(string room, string participantId, string source, bool muted);

    void SetTrackSettings(string room, string participantId, string trackId, int width, int height, bool enabled);

    /// <summary>The participant left (or its session ended): its peer connection closes and its tracks go.</summary>
    void Leave(string room, string participantId);

    IReadOnlyList<TrackView> Tracks(string room);

    /// <summary>A track was published, removed, muted or unmuted in the room.</summary>
    event Action<string>? TracksChanged;

    /// <summary>The room's current speakers changed (loudest first).</summary>
    event Action<string, IReadOnlyList<SpeakerView>>? SpeakersChanged;

    /// <summary>Which simulcast layers of a participant's track someone receives (room, participant, track, active per layer).</summary>
    event Action<string, string, string, bool[]>? LayersChanged;

    /// <summary>A participant went over a limit while sending (room, participant, error code, sentence): told to it as an error.</summary>
    event Action<string, string, string, string>? ParticipantWarned;
}

/// <summary>A <c>media-offer</c> with the grants its sender holds.</summary>
public sealed record MediaOfferRequest(string Sdp, IReadOnlyList<TrackPublication> Publish, IReadOnlyList<TrackSubscription> Subscribe,
    bool MayPublish, bool MaySubscribe);

/// <summary>The answer, or the error code and sentence for the client.</summary>
public sealed record MediaOfferOutcome(string? Sdp, string? ErrorCode, string? ErrorMessage)
{
    public static MediaOfferOutcome Fail(string code, string message) => new(null, code, message);
}

/// <summary>A section the client sends: its mid, its source (microphone, camera, screen, screen-audio), its simulcast layers low to high.</summary>
public sealed record TrackPublication(string Mid, string Source, bool Muted = false, IReadOnlyList<SimulcastEncoding>? Layers = null);

public sealed record SimulcastEncoding(string Rid, int Width = 0, int Height = 0);

/// <summary>A <c>recvonly</c> section of the client and the track it is to carry.</summary>
public sealed record TrackSubscription(string Mid, string TrackId);

/// <summary>A published track as clients see it in <c>tracks</c>.</summary>
public sealed record TrackView(string Id, string ParticipantId, string Kind, string Source, bool Muted, int Layers);

public sealed record SpeakerView(string ParticipantId, double Level);

/// <summary>The sources a track can have; a track's id is <c>participant/source</c>.</summary>
public static class TrackSources
{
    public static readonly IReadOnlyList<string> All = ["microphone", "camera", "screen", "screen-audio"];

    public static string TrackId(string participantId, string source) => participantId + "/" + source;
}
