using Switchboard.Media.Contracts;

namespace Switchboard.Signaling.Rooms;

/// <summary>What the REST API does to rooms. Asynchronous because a multi-node store answers over the network.</summary>
public interface IRoomAdministration
{
    Task<IReadOnlyList<RoomInfo>> ListRoomsAsync(CancellationToken cancellationToken = default);
    Task<RoomInfo?> GetRoomAsync(string name, CancellationToken cancellationToken = default);
    Task<RoomCreation> CreateRoomAsync(RoomSettings settings, CancellationToken cancellationToken = default);

    /// <summary>Deletes the room; its participants get <c>room-deleted</c> and are disconnected. False if absent.</summary>
    Task<bool> DeleteRoomAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Null when the room does not exist.</summary>
    Task<IReadOnlyList<ParticipantInfo>?> ListParticipantsAsync(string room, CancellationToken cancellationToken = default);

    /// <summary>The participant gets <c>removed</c> and is disconnected; others see it leave. False if absent.</summary>
    Task<bool> RemoveParticipantAsync(string room, string participantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Mutes one of the participant's tracks in the SFU: nobody receives it, everyone (the participant too) sees it muted
    /// in the room's tracks, and only the participant can unmute it. False when it is not in the room or publishes no such track.
    /// </summary>
    bool MuteTrack(string room, string participantId, TrackSource source);

    /// <summary>The room's WHEP viewers on this node.</summary>
    int CountViewers(string room);
}

public enum RoomCreationOutcome { Created, AlreadyExists, TooManyRooms, InvalidName }

public readonly record struct RoomCreation(RoomCreationOutcome Outcome, RoomInfo? Room);
