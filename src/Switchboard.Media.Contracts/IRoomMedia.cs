namespace Switchboard.Media.Contracts;

/// <summary>
/// The media server as rooms see it: offers in, answers out, and room events (tracks, speakers, layers, warnings).
/// Calls are cheap and do not block; events may be raised on any thread, never under a media server lock.
/// </summary>
public interface IRoomMedia
{
    /// <summary>False when no media server runs in this process.</summary>
    bool IsAvailable { get; }

    OfferOutcome Offer(string room, string participantId, MediaOffer offer);

    /// <summary>False when the participant publishes no track of that source.</summary>
    bool SetMuted(string room, string participantId, TrackSource source, bool muted);

    /// <summary>How the participant renders a track it receives (0: size unknown), and whether it wants it at all.</summary>
    void SetTrackSettings(string room, string participantId, string trackId, TrackSettings settings);

    /// <summary>The participant left (or its session ended): its peer connection closes and its tracks go.</summary>
    void Leave(string room, string participantId);

    IReadOnlyList<TrackInfo> Tracks(string room);

    /// <summary>Each participant's media in the room now (none for a room the media server does not hold).</summary>
    IReadOnlyList<ParticipantMediaStatistics> Statistics(string room);

    /// <summary>A track was published, removed, muted or unmuted in the room (the room's name).</summary>
    event Action<string>? TracksChanged;

    event Action<SpeakersChange>? SpeakersChanged;

    event Action<LayerDemand>? LayersChanged;

    event Action<MediaWarning>? ParticipantWarned;

    /// <summary>A participant's peer connection ended by itself (ICE consent lapsed, DTLS closed), not by a leave or a new offer.</summary>
    event Action<ConnectionEnd>? ConnectionEnded;
}
