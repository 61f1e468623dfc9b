using System.Text.Json;

namespace Switchboard.Signaling.Rooms;

/// <summary>
/// Where rooms and their participants live, as plain records that can cross a process boundary. The in-memory
/// store serves one node; a shared store (Redis) serves several. Each method is atomic.
/// </summary>
public interface IRoomStore
{
    ValueTask<RoomInfo?> GetRoomAsync(string name);
    ValueTask<IReadOnlyList<RoomInfo>> ListRoomsAsync();
    ValueTask<int> CountRoomsAsync();
    ValueTask<RoomCreation> CreateRoomAsync(RoomSettings settings, RoomLimits limits);

    /// <summary>Removes the room and returns the participants it had; null when absent.</summary>
    ValueTask<IReadOnlyList<ParticipantInfo>?> DeleteRoomAsync(string name);

    /// <summary>
    /// Adds a participant, creating the room when <paramref name="createIfAbsent"/>. A participant of the same
    /// identity already there is removed in the same step and returned as <see cref="Admission.Replaced"/>.
    /// </summary>
    ValueTask<Admission> AdmitAsync(string room, ParticipantInfo participant, RoomLimits limits, bool createIfAbsent);

    /// <summary>Removes a participant (and its room when empty and not persistent); null when absent.</summary>
    ValueTask<ParticipantInfo?> RemoveParticipantAsync(string room, string participantId);

    /// <summary>Changes name, state and/or connected; null when the participant is absent.</summary>
    ValueTask<ParticipantInfo?> UpdateParticipantAsync(string room, string participantId, string? name, JsonElement? state, bool? connected);

    ValueTask<ParticipantInfo?> GetParticipantAsync(string room, string participantId);

    /// <summary>Null when the room does not exist.</summary>
    ValueTask<IReadOnlyList<ParticipantInfo>?> ListParticipantsAsync(string room);
}

/// <summary>The server-wide limits a store enforces when it admits or creates.</summary>
public readonly record struct RoomLimits(int MaxRooms, int DefaultMaxParticipants, string DefaultMediaMode = MediaModes.Sfu);

public enum AdmissionOutcome { Admitted, RoomNotFound, RoomFull, TooManyRooms }

/// <summary>The outcome of <see cref="IRoomStore.AdmitAsync"/>: the room, the others already there, a replaced participant.</summary>
public readonly record struct Admission(AdmissionOutcome Outcome, RoomInfo? Room, IReadOnlyList<ParticipantInfo> Others, ParticipantInfo? Replaced);
