using Microsoft.Extensions.Logging;
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
        _media.SpeakersChanged += (room, speakers) =>
            Forget(BroadcastAsync(room, null, OutboundMessage.Create(new SpeakersMessage(speakers), SignalingJsonContext.Default.SpeakersMessage)));
        _media.ParticipantWarned += Warn;
        _media.LayersChanged += (room, participantId, trackId, active) =>
        {
            if (_sessions.TryGetValue(participantId, out var session) && session.Room == room)
                session.Deliver(OutboundMessage.Create(new LayersMessage(trackId, active), SignalingJsonContext.Default.LayersMessage));
        };
    }

    void Warn(string room, string participantId, string code, string message)
    {
        if (_sessions.TryGetValue(participantId, out var session) && session.Room == room && session.Connection is { } connection)
            Fail(connection, code, message, null);
    }

    /// <summary>The room's media mode as its participants see it: a mesh when no media server runs here.</summary>
    string MediaModeOf(RoomInfo room) => _media.IsAvailable ? room.Media : MediaModes.P2p;

    OutboundMessage TracksMessageFor(string room) =>
        OutboundMessage.Create(new TracksMessage(_media.Tracks(room)), SignalingJsonContext.Default.TracksMessage);

    bool UsesMediaServer(SignalingConnection connection, ParticipantSession session, string? requestId)
    {
        if (session.MediaMode == MediaModes.Sfu) return true;
        Fail(connection, ErrorCodes.MediaUnavailable, $"room '{session.Room}' is a p2p room: call the others with offer, answer and candidate", requestId);
        return false;
    }

    void OfferMedia(SignalingConnection connection, ParticipantSession session, MediaOfferMessage offer)
    {
        if (!UsesMediaServer(connection, session, offer.Id)) return;
        var request = new MediaOfferRequest(offer.Sdp, offer.Publish ?? [], offer.Subscribe ?? [], session.Grants.Publish, session.Grants.Subscribe);
        var outcome = _media.Offer(session.Room, session.Id, request);
        if (outcome.Sdp is { } sdp) session.Deliver(OutboundMessage.Create(new MediaAnswerMessage(sdp), SignalingJsonContext.Default.MediaAnswerMessage));
        else Fail(connection, outcome.ErrorCode!, outcome.ErrorMessage!, offer.Id);
    }

    void Mute(SignalingConnection connection, ParticipantSession session, MuteMessage mute)
    {
        if (UsesMediaServer(connection, session, mute.Id) && !_media.SetMuted(session.Room, session.Id, mute.Source, mute.Muted))
            Fail(connection, ErrorCodes.MediaInvalid, $"you publish no {mute.Source} track", mute.Id);
    }

    void ChangeTrackSettings(SignalingConnection connection, ParticipantSession session, TrackSettingsMessage settings)
    {
        if (UsesMediaServer(connection, session, settings.Id))
            _media.SetTrackSettings(session.Room, session.Id, settings.TrackId, settings.Width, settings.Height, settings.Enabled ?? true);
    }

    void Forget(ValueTask task)
    {
        if (task.IsCompletedSuccessfully) return;
        task.AsTask().ContinueWith(t => _log.LogWarning(t.Exception, "Delivering a media event failed"),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }
}
