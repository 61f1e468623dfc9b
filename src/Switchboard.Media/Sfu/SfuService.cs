using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Media.Contracts;
using Switchboard.Media.Sfu.Data;
using Switchboard.Media.Transport;
using Switchboard.Protocols.Sdp;

namespace Switchboard.Media.Sfu;

/// <summary>
/// The selective forwarding unit: rooms of participants that each send their media once over one peer connection and
/// receive the others' through it, over the connections of an <see cref="IMediaTransport"/>. Whoever drives the rooms
/// (the signaling hub) does so through <see cref="IRoomMedia"/>; rooms live while they have participants. Server code
/// sends on and watches the rooms' data bus through <see cref="IRoomData"/>.
/// </summary>
public sealed class SfuService(IMediaTransport transport, IOptions<MediaOptions> options, ILogger<SfuService> logger) : IRoomMedia, IRoomData
{
    private readonly ConcurrentDictionary<string, SfuRoom> _rooms = new(StringComparer.Ordinal);
    private readonly Lock _roomsGate = new();
    private readonly DataSubscriptions _dataSubscriptions = new(logger);

    internal IMediaTransport Transport { get; } = transport;
    internal SfuOptions Limits { get; } = options.Value.Sfu;
    internal ILogger Logger { get; } = logger;

    /// <summary>The gateways' plain RTP connections (set by the transport when the server runs it).</summary>
    internal Gateway.PlainRtpTransport? PlainRtp { get; set; }

    /// <summary>Server-side recording, which the rooms ask whether to record their tracks (set by the recording service).</summary>
    internal Recording.RecordingService? Recordings { get; set; }

    public bool IsAvailable => true;

    public OfferOutcome Offer(string room, string participantId, MediaOffer offer)
    {
        using var trace = MediaTracing.Source.StartActivity("sfu answer");
        if ((offer.PlainRtp is null ? WebRtcOffer.TryRead(offer.Sdp, out string? problem) : WebRtcOffer.TryReadPlainRtp(offer.Sdp, out problem)) is not { } parsed)
        {
            trace?.SetStatus(ActivityStatusCode.Error, nameof(OfferRefusal.InvalidOffer));
            return OfferOutcome.Refuse(OfferRefusal.InvalidOffer, problem!);
        }
        OfferOutcome outcome;
        bool tracksChanged;
        lock (_roomsGate) // a room is not removed while an offer adds to it
            outcome = _rooms.GetOrAdd(room, name => new SfuRoom(name, this)).Offer(participantId, parsed, offer, out tracksChanged);
        trace?.SetTag("switchboard.sections", parsed.Sdp.Media.Count);
        if (outcome.AnswerSdp is null) trace?.SetStatus(ActivityStatusCode.Error, outcome.Refusal.ToString());
        if (outcome.AnswerSdp is null) RemoveIfEmpty(room);
        else logger.LogDebug("SFU room {Room}: {Participant} offered ({Publish} published, {Subscribe} subscribed)", room, participantId,
            offer.Publish.Count, offer.Subscribe.Count);
        if (tracksChanged) RaiseTracksChanged(room);
        return outcome;
    }

    public bool SetMuted(string room, string participantId, TrackSource source, bool muted) =>
        _rooms.TryGetValue(room, out var r) && r.SetMuted(participantId, source, muted);

    public void SetTrackSettings(string room, string participantId, string trackId, TrackSettings settings)
    {
        if (_rooms.TryGetValue(room, out var r)) r.SetTrackSettings(participantId, trackId, settings);
    }

    public void Leave(string room, string participantId)
    {
        if (!_rooms.TryGetValue(room, out var r)) return;
        r.Leave(participantId);
        RemoveIfEmpty(room);
    }

    public DataSendOutcome Send(string room, DataMessage message) =>
        _rooms.TryGetValue(room, out var r) ? r.RouteData(null, [message], Transport.Time.GetMillis()) : new DataSendOutcome(0, 0);

    public IDisposable Subscribe(string room, Action<RoomDataMessage> handler) => _dataSubscriptions.Add(room, handler);

    internal void PublishData(RoomDataMessage message) => _dataSubscriptions.Publish(message);

    /// <summary>A room while it has participants (for tests and diagnostics).</summary>
    internal SfuRoom? Room(string name) => _rooms.GetValueOrDefault(name);

    public IReadOnlyList<ParticipantMediaStatistics> Statistics(string room) =>
        _rooms.TryGetValue(room, out var r) ? r.Statistics(Transport.Time.GetMillis()) : [];

    public IReadOnlyList<TrackInfo> Tracks(string room) => _rooms.TryGetValue(room, out var r) ? r.Tracks() : [];

    private void RemoveIfEmpty(string room)
    {
        lock (_roomsGate)
        {
            if (!_rooms.TryGetValue(room, out var r) || !r.IsEmpty) return;
            _rooms.TryRemove(room, out _);
        }
        Recordings?.OnRoomEnded(room);
    }

    public event Action<string>? TracksChanged;
    public event Action<SpeakersChange>? SpeakersChanged;
    public event Action<LayerDemand>? LayersChanged;
    public event Action<MediaWarning>? ParticipantWarned;
    public event Action<ConnectionEnd>? ConnectionEnded;

    internal void RaiseTracksChanged(string room) => TracksChanged?.Invoke(room);
    internal void RaiseSpeakersChanged(SpeakersChange change) => SpeakersChanged?.Invoke(change);
    internal void RaiseLayersChanged(LayerDemand demand) => LayersChanged?.Invoke(demand);
    internal void RaiseParticipantWarned(MediaWarning warning) => ParticipantWarned?.Invoke(warning);
    internal void RaiseConnectionEnded(ConnectionEnd end) => ConnectionEnded?.Invoke(end);
}
