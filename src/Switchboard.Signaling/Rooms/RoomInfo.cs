namespace Switchboard.Signaling.Rooms;

/// <summary>A room as the REST API and other nodes see it: plain data, no references to live objects.</summary>
/// <param name="Persistent">Created through the REST API: kept when empty, until deleted.</param>
/// <param name="Media"><see cref="MediaModes.Sfu"/> or <see cref="MediaModes.P2p"/>.</param>
/// <param name="Record">Recorded whenever participants are in it (<see cref="RoomSettings.Record"/>).</param>
public sealed record RoomInfo(string Name, int MaxParticipants, string[]? Publishers, DateTimeOffset CreatedAt, bool Persistent, int ParticipantCount,
    string Media = MediaModes.Sfu, bool Record = false);
