using Switchboard.Signaling.Connections;
using Switchboard.Signaling.Protocol;
using Switchboard.Signaling.Sessions;

namespace Switchboard.Signaling;

// offer / answer / candidate / message / update: the server names the sender; a client cannot forge `from`.
public sealed partial class SignalingHub
{
    void RelayDescription(SignalingConnection connection, ParticipantSession sender, string type, SessionDescriptionMessage description)
    {
        using var trace = SignalingTracing.StartInTrace(type == "offer" ? "relay offer" : "relay answer", sender.Trace);
        trace?.SetTag("switchboard.participant", sender.Id);
        trace?.SetTag("switchboard.to", description.To);
        var (sends, receives) = sender.Grants is { Publish: true, Subscribe: true } ? (false, false) : SdpMediaDirections.Scan(description.Sdp);
        if (sends && !sender.Grants.Publish)
        {
            trace.Refused(ErrorCodes.PermissionDenied);
            Fail(connection, ErrorCodes.PermissionDenied, $"this {type} sends media, and you may not publish in this room", description.Id);
            return;
        }
        if (receives && !sender.Grants.Subscribe)
        {
            trace.Refused(ErrorCodes.PermissionDenied);
            Fail(connection, ErrorCodes.PermissionDenied, $"this {type} receives media, and you may not subscribe in this room", description.Id);
            return;
        }
        RelayTo(connection, sender, description.To, description.Id,
            OutboundMessage.Create(new RelayedSessionDescription(type, sender.Id, description.Sdp), SignalingJsonContext.Default.RelayedSessionDescription));
    }

    void RelayTo(SignalingConnection connection, ParticipantSession sender, string to, string? requestId, OutboundMessage message)
    {
        if (to == sender.Id || !_sessions.TryGetValue(to, out var target) || target.Room != sender.Room || target.Ended)
        {
            Fail(connection, ErrorCodes.ParticipantNotFound, $"no participant '{to}' in room '{sender.Room}'", requestId);
            return;
        }
        target.Deliver(message);
        _metrics.Relayed(1);
    }

    async ValueTask RelayApplicationAsync(SignalingConnection connection, ParticipantSession sender, ApplicationMessage application)
    {
        var message = OutboundMessage.Create(new RelayedApplicationMessage(sender.Id, application.Data, Broadcast: application.To is null),
            SignalingJsonContext.Default.RelayedApplicationMessage);
        if (application.To is { } to) RelayTo(connection, sender, to, application.Id, message);
        else await BroadcastAsync(sender.Room, sender.Id, message);
    }

    async ValueTask UpdateAsync(ParticipantSession session, UpdateMessage update)
    {
        if (await _store.UpdateParticipantAsync(session.Room, session.Id, update.Name, update.State, null) is { } updated)
            await BroadcastAsync(session.Room, session.Id,
                OutboundMessage.Create(new ParticipantUpdatedMessage(View(updated)), SignalingJsonContext.Default.ParticipantUpdatedMessage));
    }
}
