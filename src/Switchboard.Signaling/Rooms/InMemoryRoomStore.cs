using System.Text.Json;

namespace Switchboard.Signaling.Rooms;

/// <summary>Rooms of one node in memory, under one lock: every operation is short and allocation-light.</summary>
public sealed class InMemoryRoomStore(TimeProvider time) : IRoomStore
{
    sealed class Room(RoomInfo info)
    {
        public RoomInfo Info = info;
        public readonly Dictionary<string, ParticipantInfo> Participants = new(StringComparer.Ordinal);
        public RoomInfo Snapshot() => Info with { ParticipantCount = Participants.Count };
    }

    readonly Lock _lock = new();
    readonly Dictionary<string, Room> _rooms = new(StringComparer.Ordinal);

    public ValueTask<int> CountRoomsAsync()
    {
        lock (_lock) return new(_rooms.Count);
    }

    public ValueTask<RoomInfo?> GetRoomAsync(string name)
    {
        lock (_lock) return new(_rooms.TryGetValue(name, out var room) ? room.Snapshot() : null);
    }

    public ValueTask<IReadOnlyList<RoomInfo>> ListRoomsAsync()
    {
        lock (_lock) return new(_rooms.Values.Select(r => r.Snapshot()).OrderBy(r => r.Name, StringComparer.Ordinal).ToList());
    }

    public ValueTask<RoomCreation> CreateRoomAsync(RoomSettings settings, RoomLimits limits)
    {
        lock (_lock)
        {
            if (_rooms.TryGetValue(settings.Name, out var existing))
            {
                if (existing.Info.Persistent) return new(new RoomCreation(RoomCreationOutcome.AlreadyExists, existing.Snapshot()));
                // A room that exists only because people are in it becomes a configured one.
                existing.Info = existing.Info with { MaxParticipants = settings.MaxParticipants ?? existing.Info.MaxParticipants, Publishers = settings.Publishers, Persistent = true };
                return new(new RoomCreation(RoomCreationOutcome.Created, existing.Snapshot()));
            }
            if (_rooms.Count >= limits.MaxRooms) return new(new RoomCreation(RoomCreationOutcome.TooManyRooms, null));
            var room = new Room(NewRoom(settings, limits, persistent: true));
            _rooms.Add(settings.Name, room);
            return new(new RoomCreation(RoomCreationOutcome.Created, room.Snapshot()));
        }
    }

    public ValueTask<IReadOnlyList<ParticipantInfo>?> DeleteRoomAsync(string name)
    {
        lock (_lock)
        {
            if (!_rooms.Remove(name, out var room)) return new((IReadOnlyList<ParticipantInfo>?)null);
            return new(room.Participants.Values.ToList());
        }
    }

    public ValueTask<Admission> AdmitAsync(string roomName, ParticipantInfo participant, RoomLimits limits, bool createIfAbsent)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(roomName, out var room))
            {
                if (!createIfAbsent) return new(new Admission(AdmissionOutcome.RoomNotFound, null, [], null));
                if (_rooms.Count >= limits.MaxRooms) return new(new Admission(AdmissionOutcome.TooManyRooms, null, [], null));
                room = new Room(NewRoom(new RoomSettings(roomName), limits, persistent: false));
                _rooms.Add(roomName, room);
            }
            ParticipantInfo? replaced = null;
            foreach (var other in room.Participants.Values)
            {
                if (other.Identity == participant.Identity)
                {
                    replaced = other;
                    break;
                }
            }
            if (replaced is not null) room.Participants.Remove(replaced.Id);
            else if (room.Participants.Count >= room.Info.MaxParticipants)
                return new(new Admission(AdmissionOutcome.RoomFull, room.Snapshot(), [], null));
            var others = room.Participants.Values.ToList();
            room.Participants.Add(participant.Id, participant);
            return new(new Admission(AdmissionOutcome.Admitted, room.Snapshot(), others, replaced));
        }
    }

    public ValueTask<ParticipantInfo?> RemoveParticipantAsync(string roomName, string participantId)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(roomName, out var room) || !room.Participants.Remove(participantId, out var removed))
                return new((ParticipantInfo?)null);
            if (room.Participants.Count == 0 && !room.Info.Persistent) _rooms.Remove(roomName);
            return new(removed);
        }
    }

    public ValueTask<ParticipantInfo?> UpdateParticipantAsync(string roomName, string participantId, string? name, JsonElement? state, bool? connected)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(roomName, out var room) || !room.Participants.TryGetValue(participantId, out var current))
                return new((ParticipantInfo?)null);
            var updated = current with { Name = name ?? current.Name, State = state ?? current.State, Connected = connected ?? current.Connected };
            room.Participants[participantId] = updated;
            return new(updated);
        }
    }

    public ValueTask<ParticipantInfo?> GetParticipantAsync(string roomName, string participantId)
    {
        lock (_lock)
            return new(_rooms.TryGetValue(roomName, out var room) && room.Participants.TryGetValue(participantId, out var p) ? p : null);
    }

    public ValueTask<IReadOnlyList<ParticipantInfo>?> ListParticipantsAsync(string roomName)
    {
        lock (_lock)
            return new(_rooms.TryGetValue(roomName, out var room) ? room.Participants.Values.OrderBy(p => p.JoinedAt).ToList() : null);
    }

    RoomInfo NewRoom(RoomSettings settings, RoomLimits limits, bool persistent) =>
        new(settings.Name, settings.MaxParticipants ?? limits.DefaultMaxParticipants, settings.Publishers, time.GetUtcNow(), persistent, 0,
            settings.Media ?? limits.DefaultMediaMode, settings.Record);
}
