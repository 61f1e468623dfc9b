namespace Switchboard.Signaling.Media;

/// <summary>A signaling server without a media server in its process: every room is a mesh.</summary>
public sealed class NoRoomMedia : IRoomMedia
{
    public bool IsAvailable => false;

    public MediaOfferOutcome Offer(string room, string participantId, MediaOfferRequest request) =>
        MediaOfferOutcome.Fail(Protocol.ErrorCodes.MediaUnavailable, "this server runs no media server");

    public bool SetMuted(string room, string participantId, string source, bool muted) => false;

    public void SetTrackSettings(string room, string participantId, string trackId, int width, int height, bool enabled) { }

    public void Leave(string room, string participantId) { }

    public IReadOnlyList<TrackView> Tracks(string room) => [];

#pragma warning disable CS0067 // never raised: there is no media
    public event Action<string>? TracksChanged;
    public event Action<string, IReadOnlyList<SpeakerView>>? SpeakersChanged;
    public event Action<string, string, string, bool[]>? LayersChanged;
    public event Action<string, string, string, string>? ParticipantWarned;
#pragma warning restore CS0067
}
