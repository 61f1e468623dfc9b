using System.Text.Json;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Signaling.Rooms;

/// <summary>A participant as plain data (docs/signaling.md, "Participant").</summary>
/// <param name="Connected">False while its socket is down and it may still resume.</param>
public sealed record ParticipantInfo(string Id, string Identity, string Name, JsonElement? State, DateTimeOffset JoinedAt, Grants Grants, bool Connected);
