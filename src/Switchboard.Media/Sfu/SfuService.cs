using Switchboard.Protocols.Bwe;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Media.Transport;
using Switchboard.Protocols.Sdp;
using Switchboard.Signaling.Media;
using Switchboard.Signaling.Protocol;

namespace Switchboard.Media.Sfu;

/// <summary>
/// The selective forwarding unit: rooms of participants that each send their media once over one peer connection and
/// receive the others' through it. The signaling hub drives it through <see cref="IRoomMedia"/>; rooms live while they
/// have participants.
/// </summary>
public sealed class SfuService(MediaTransportHost host, IOptions<MediaOptions> options, ILogger<SfuService> logger) : IRoomMedia
{
    private readonly ConcurrentDictionary<string, SfuRoom> _rooms = new(StringComparer.Ordinal);
    private readonly Lock _roomsGate = new();

    internal MediaTransportHost Host { get; } = host;
    internal MediaOptions Options { get; } = options.Value;
    internal ILogger Logger { get; } = logger;

    public bool IsAvailable => true;

    public MediaOfferOutcome Offer(string room, string participantId, MediaOfferRequest request)
    {
        if (WebRtcOffer.TryRead(request.Sdp, out string? problem) is not { } offer)
            return MediaOfferOutcome.Fail(ErrorCodes.MediaInvalid, problem!);
        MediaOfferOutcome outcome;
        bool tracksChanged;
        lock (_roomsGate) // a room is not removed while an offer adds to it
            outcome = _rooms.GetOrAdd(room, name => new SfuRoom(name, this)).Offer(participantId, offer, request, out tracksChanged);
        if (outcome.Sdp is null) RemoveIfEmpty(room);
        else logger.LogDebug("SFU room {Room}: {Participant} offered ({Publish} published, {Subscribe} subscribed)", room, participantId,
            request.Publish.Count, request.Subscribe.Count);
        if (tracksChanged) RaiseTracksChanged(room);
        return outcome;
    }

    public bool SetMuted(string room, string participantId, string source, bool muted) =>
        _rooms.TryGetValue(room, out var r) && r.SetMuted(participantId, source, muted);

    public void SetTrackSettings(string room, string participantId, string trackId, int width, int height, bool enabled)
    {
        if (_rooms.TryGetValue(room, out var r)) r.SetTrackSettings(participantId, trackId, width, height, enabled);
    }

    public void Leave(string room, string participantId)
    {
        if (!_rooms.TryGetValue(room, out var r)) return;
        r.Leave(participantId);
        RemoveIfEmpty(room);
    }

    public IReadOnlyList<TrackView> Tracks(string room) => _rooms.TryGetValue(room, out var r) ? r.Tracks() : [];

    private void RemoveIfEmpty(string room)
    {
        lock (_roomsGate)
            if (_rooms.TryGetValue(room, out var r) && r.IsEmpty) _rooms.TryRemove(room, out _);
    }

    public event Action<string>? TracksChanged;
    public event Action<string, IReadOnlyList<SpeakerView>>? SpeakersChanged;
    public event Action<string, string, string, bool[]>? LayersChanged;

    public event Action<string, string, string, string>? ParticipantWarned;

    internal void RaiseParticipantWarned(string room, string participant, string code, string message) => ParticipantWarned?.Invoke(room, participant, code, message);
    internal void RaiseTracksChanged(string room) => TracksChanged?.Invoke(room);
    internal void RaiseSpeakersChanged(string room, IReadOnlyList<SpeakerView> speakers) => SpeakersChanged?.Invoke(room, speakers);
    internal void RaiseLayersChanged(string room, string participant, string track, bool[] active) => LayersChanged?.Invoke(room, participant, track, active);
}
