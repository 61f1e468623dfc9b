using Switchboard.Media.Contracts;
using Switchboard.Signaling.Protocol;
using Switchboard.Signaling.Rooms;

namespace Switchboard.Signaling;

// What the REST API does to rooms and participants.
public sealed partial class SignalingHub : IRoomAdministration
{
    public async Task<IReadOnlyList<RoomInfo>> ListRoomsAsync(CancellationToken cancellationToken = default) => await _store.ListRoomsAsync();

    public async Task<RoomInfo?> GetRoomAsync(string name, CancellationToken cancellationToken = default) => await _store.GetRoomAsync(name);

    public async Task<RoomCreation> CreateRoomAsync(RoomSettings settings, CancellationToken cancellationToken = default)
    {
        if (!ClientMessageReader.IsValidRoomName(settings.Name) || settings.MaxParticipants is < 1 || settings.Media is not null && !MediaModes.IsValid(settings.Media))
            return new RoomCreation(RoomCreationOutcome.InvalidName, null);
        var creation = await _store.CreateRoomAsync(settings, Limits);
        await RefreshRoomCountAsync();
        return creation;
    }

    public async Task<bool> DeleteRoomAsync(string name, CancellationToken cancellationToken = default)
    {
        if (await _store.DeleteRoomAsync(name) is not { } participants) return false;
        foreach (var participant in participants) RaiseLeft(name, participant, LeaveReasons.RoomDeleted);
        foreach (var participant in participants)
        {
            _media.Leave(name, participant.Id);
            ForgetWhipWhep(name, participant.Id);
            if (!_sessions.TryRemove(participant.Id, out var session)) continue;
            _byResumeToken.TryRemove(session.ResumeToken, out _);
            if (session.End() is { } connection)
                Fail(connection, ErrorCodes.RoomDeleted, $"an administrator deleted room '{name}'", null, CloseCodes.RoomDeleted);
        }
        await RefreshRoomCountAsync();
        return true;
    }

    public async Task<IReadOnlyList<ParticipantInfo>?> ListParticipantsAsync(string room, CancellationToken cancellationToken = default) =>
        await _store.ListParticipantsAsync(room);

    public async Task<bool> RemoveParticipantAsync(string room, string participantId, CancellationToken cancellationToken = default)
    {
        if (_sessions.TryGetValue(participantId, out var session) && session.Room == room)
        {
            await LeaveAsync(session, LeaveReasons.Removed, CloseCodes.Removed, ErrorCodes.Removed);
            return true;
        }
        _media.Leave(room, participantId);
        ForgetWhipWhep(room, participantId);
        return await RemoveFromRoomAsync(room, participantId, LeaveReasons.Removed);
    }

    public bool MuteTrack(string room, string participantId, TrackSource source) =>
        _sessions.TryGetValue(participantId, out var session) && session.Room == room && _media.SetMuted(room, participantId, source, true);

    public int CountViewers(string room) => _whipWhep.CountIn(room, WhipWhep.WhipWhepKind.Whep);
}
