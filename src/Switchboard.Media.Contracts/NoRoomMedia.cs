namespace Switchboard.Media.Contracts;

/// <summary>
/// No media server in this process: every offer is refused, every room is a mesh, no data bus carries anything and
/// nothing is recorded.
/// </summary>
public sealed class NoRoomMedia : IRoomMedia, IRoomData, IRoomRecording
{
    public bool IsAvailable => false;

    public OfferOutcome Offer(string room, string participantId, MediaOffer offer) =>
        OfferOutcome.Refuse(OfferRefusal.Unavailable, "this server runs no media server");

    public bool SetMuted(string room, string participantId, TrackSource source, bool muted) => false;

    public void SetTrackSettings(string room, string participantId, string trackId, TrackSettings settings) { }

    public void Leave(string room, string participantId) { }

    public IReadOnlyList<TrackInfo> Tracks(string room) => [];

    public IReadOnlyList<ParticipantMediaStatistics> Statistics(string room) => [];

    public DataSendOutcome Send(string room, DataMessage message) => new(0, 0);

    public IDisposable Subscribe(string room, Action<RoomDataMessage> handler) => new NoSubscription();

    public RecordingStart Start(string room, RecordingRequest request) => new(null, RecordingRefusal.Disabled, "this server runs no media server");

    public Task<RecordingInfo?> StopAsync(string recordingId) => Task.FromResult<RecordingInfo?>(null);

    public IReadOnlyList<RecordingInfo> List(string? room = null) => [];

    public RecordingInfo? Get(string recordingId) => null;

    public string? FilePath(string recordingId, string fileName) => null;

    public bool Delete(string recordingId) => false;

    public string? ActiveIn(string room) => null;

    public ExportInfo? Export(string recordingId, ExportRequest request, out string? problem)
    {
        problem = "this server runs no media server";
        return null;
    }

    public ExportInfo? GetExport(string recordingId, string exportId) => null;

    private sealed class NoSubscription : IDisposable
    {
        public void Dispose() { }
    }

#pragma warning disable CS0067 // never raised: there is no media
    public event Action<string>? TracksChanged;
    public event Action<SpeakersChange>? SpeakersChanged;
    public event Action<LayerDemand>? LayersChanged;
    public event Action<MediaWarning>? ParticipantWarned;
    public event Action<ConnectionEnd>? ConnectionEnded;
    public event Action<RecordingChange>? RecordingChanged;
#pragma warning restore CS0067
}
