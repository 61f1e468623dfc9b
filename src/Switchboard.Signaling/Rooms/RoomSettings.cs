namespace Switchboard.Signaling.Rooms;

/// <summary>How a room is set up when created through the REST API.</summary>
/// <param name="MaxParticipants">Null: <c>Signaling:MaxParticipantsPerRoom</c>.</param>
/// <param name="Publishers">Identities that may publish; null: everyone whose token has the publish grant.</param>
/// <param name="Media"><see cref="MediaModes"/>; null: <c>Signaling:DefaultMediaMode</c>.</param>
/// <param name="Record">sfu rooms: recorded from the first participant's join until the last one leaves.</param>
public sealed record RoomSettings(string Name, int? MaxParticipants = null, string[]? Publishers = null, string? Media = null, bool Record = false);
