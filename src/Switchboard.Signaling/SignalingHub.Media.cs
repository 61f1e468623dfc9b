using Microsoft.Extensions.Logging;
using Switchboard.Media.Contracts;
using Switchboard.Signaling.Connections;
using Switchboard.Signaling.Media;
using Switchboard.Signaling.Protocol;
using Switchboard.Signaling.Rooms;
using Switchboard.Signaling.Sessions;

namespace Switchboard.Signaling;

// media-offer / mute / track-settings and the media server's room events (docs/signaling.md, "Media through the SFU").
public sealed partial class SignalingHub
{
    void ListenToMedia()
    {
        _media.TracksChanged += room => Forget(BroadcastAsync(room, null, TracksMessageFor(room)));
        _media.SpeakersChanged += change => Forget(BroadcastAsync(change.Room, null, OutboundMessage.Create(
            new SpeakersMessage(change.Speakers.Select(s => new SpeakerView(s.ParticipantId, s.Level)).ToList()), SignalingJsonContext.Default.SpeakersMessage)));
        _media.ParticipantWarned += Warn;
        _media.ConnectionEnded += EndWhipWhepWith;
        _recording.RecordingChanged += change => Forget(BroadcastAsync(change.Room, null, OutboundMessage.Create(
            new RecordingMessage(change.Active, change.RecordingId), SignalingJsonContext.Default.RecordingMessage)));
        _media.LayersChanged += demand =>
        {
            if (_sessions.TryGetValue(demand.ParticipantId, out var session) && session.Room == demand.Room)
                session.Deliver(OutboundMessage.Create(new LayersMessage(demand.TrackId, demand.Active), SignalingJsonContext.Default.LayersMessage));
        };
    }

    /// <summary>A room set to record: its recording starts with a join while none runs (it ends when the room's media does).</summary>
    void RecordAutomatically(string room)
    {
        RecordingStart start = _recording.Start(room, RecordingRequest.Everything);
        if (start.Recording is null && start.Refusal != RecordingRefusal.AlreadyRecording)
            _log.LogWarning("Room {Room} is set to record, but its recording did not start: {Reason}", room, start.Message);
    }

    void Warn(MediaWarning warning)
    {
        string code = warning.Kind switch
        {
            MediaWarningKind.BitrateLimit => ErrorCodes.BitrateLimit,
            MediaWarningKind.DataBacklog => ErrorCodes.DataBacklog,
            _ => throw new ArgumentOutOfRangeException(nameof(warning), warning.Kind, null),
        };
        if (_sessions.TryGetValue(warning.ParticipantId, out var session) && session.Room == warning.Room && session.Connection is { } connection)
            Fail(connection, code, warning.Message, null);
    }

    /// <summary>The room's media mode as its participants see it: a mesh when no media server runs here.</summary>
    string MediaModeOf(RoomInfo room) => _media.IsAvailable ? room.Media : MediaModes.P2p;

    OutboundMessage TracksMessageFor(string room) =>
        OutboundMessage.Create(new TracksMessage(TrackViews(room)), SignalingJsonContext.Default.TracksMessage);

    /// <summary>The room's tracks as clients read them.</summary>
    List<TrackView> TrackViews(string room) =>
        _media.Tracks(room).Select(t => new TrackView(t.Id, t.ParticipantId, t.Kind.MediaType(), t.Source.Name(), t.Muted, t.Layers)).ToList();

    bool UsesMediaServer(SignalingConnection connection, ParticipantSession session, string? requestId)
    {
        if (session.MediaMode == MediaModes.Sfu) return true;
        Fail(connection, ErrorCodes.MediaUnavailable, $"room '{session.Room}' is a p2p room: call the others with offer, answer and candidate", requestId);
        return false;
    }

    /// <summary>The session is still the participant's (a leave takes it out of the sessions first).</summary>
    bool IsCurrent(ParticipantSession session) => !session.Ended && _sessions.TryGetValue(session.Id, out var current) && current == session;

    void OfferMedia(SignalingConnection connection, ParticipantSession session, MediaOfferMessage offer)
    {
        if (!UsesMediaServer(connection, session, offer.Id)) return;
        // The reader checked every source's name, so each parses.
        var publish = (offer.Publish ?? []).Select(p => new OfferedTrack(p.Mid, ParseSource(p.Source), p.Muted,
            p.Layers?.Select(l => new OfferedLayer(l.Rid, l.Width, l.Height)).ToList())).ToList();
        var subscribe = (offer.Subscribe ?? []).Select(s => new WantedTrack(s.Mid, s.TrackId)).ToList();
        using var trace = SignalingTracing.StartInTrace("media offer", session.Trace);
        trace?.SetTag("switchboard.participant", session.Id);
        trace?.SetTag("switchboard.publish", publish.Count);
        trace?.SetTag("switchboard.subscribe", subscribe.Count);
        if (!IsCurrent(session)) return;
        var outcome = _media.Offer(session.Room, session.Id, new MediaOffer(offer.Sdp, publish, subscribe, session.Grants.Publish, session.Grants.Subscribe, session.Grants.MaySendData));
        // Removed (or gone) while the offer was being answered: its leave may have run before the offer re-added it to the
        // SFU, so the offer is undone rather than leaving a participant behind in the media server that no room has.
        if (!IsCurrent(session))
        {
            _media.Leave(session.Room, session.Id);
            return;
        }
        if (outcome.AnswerSdp is { } sdp) session.Deliver(OutboundMessage.Create(new MediaAnswerMessage(sdp), SignalingJsonContext.Default.MediaAnswerMessage));
        else
        {
            trace.Refused(ErrorCodeOf(outcome.Refusal));
            Fail(connection, ErrorCodeOf(outcome.Refusal), outcome.Message!, offer.Id);
        }
    }

    /// <summary>The error code a client gets for a refused offer (docs/signaling.md, "Errors").</summary>
    static string ErrorCodeOf(OfferRefusal refusal) => refusal switch
    {
        OfferRefusal.InvalidOffer => ErrorCodes.MediaInvalid,
        OfferRefusal.NotPermitted => ErrorCodes.PermissionDenied,
        OfferRefusal.TooManyPublishers => ErrorCodes.TooManyPublishers,
        OfferRefusal.TooManySubscriptions => ErrorCodes.TooManySubscriptions,
        OfferRefusal.Unavailable => ErrorCodes.MediaUnavailable,
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, null),
    };

    static TrackSource ParseSource(string name) =>
        TrackSources.TryParse(name, out var source) ? source : throw new ArgumentException($"unchecked source '{name}'", nameof(name));

    void Mute(SignalingConnection connection, ParticipantSession session, MuteMessage mute)
    {
        if (UsesMediaServer(connection, session, mute.Id) && !_media.SetMuted(session.Room, session.Id, ParseSource(mute.Source), mute.Muted))
            Fail(connection, ErrorCodes.MediaInvalid, $"you publish no {mute.Source} track", mute.Id);
    }

    void ChangeTrackSettings(SignalingConnection connection, ParticipantSession session, TrackSettingsMessage settings)
    {
        if (UsesMediaServer(connection, session, settings.Id))
            _media.SetTrackSettings(session.Room, session.Id, settings.TrackId, new TrackSettings(settings.Width, settings.Height, settings.Enabled ?? true));
    }

    void Forget(ValueTask task)
    {
        if (task.IsCompletedSuccessfully) return;
        task.AsTask().ContinueWith(t => _log.LogWarning(t.Exception, "Handling a media event failed"),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }
}
