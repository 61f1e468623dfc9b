namespace Switchboard.Media.Contracts;

/// <summary>No media server in this process: every offer is refused, every room is a mesh, and no data bus carries anything.</summary>
public sealed class NoRoomMedia : IRoomMedia, IRoomData
{
    public bool IsAvailable => false;

    public OfferOutcome Offer(string room, string participantId, MediaOffer offer) =>
        OfferOutcome.Refuse(OfferRefusal.Unavailable, "this server runs no media server");

    public bool SetMuted(string room, string participantId, TrackSource source, bool muted) => false;

    public void SetTrackSettings(string room, string participantId, string trackId, TrackSettings settings) { }

    public void Leave(string room, string participantId) { }

    public IReadOnlyList<TrackInfo> Tracks(string room) => [];

    public DataSendOutcome Send(string room, DataMessage message) => new(0, 0);

    public IDisposable Subscribe(string room, Action<RoomDataMessage> handler) => new NoSubscription();

    private sealed class NoSubscription : IDisposable
    {
        public void Dispose() { }
    }

#pragma warning disable CS0067 // never raised: there is no media
    public event Action<string>? TracksChanged;
    public event Action<SpeakersChange>? SpeakersChanged;
    public event Action<LayerDemand>? LayersChanged;
    public event Action<MediaWarning>? ParticipantWarned;
#pragma warning restore CS0067
}
