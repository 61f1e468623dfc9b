using System.Text.Json;
using Switchboard.Signaling.Rooms;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Server.Api;

// The REST API's request and response bodies (docs/rest-api.md).

/// <summary>A room as the REST API shows it.</summary>
/// <param name="Viewers">Its WHEP viewers (docs/broadcast.md), who are among its participants.</param>
public sealed record RoomResponse(string Name, int MaxParticipants, string[]? Publishers, DateTimeOffset CreatedAt, bool Persistent, int Participants, string Media,
    bool Record, int Viewers)
{
    public static RoomResponse From(RoomInfo room, IRoomAdministration admin) => new(room.Name, room.MaxParticipants, room.Publishers, room.CreatedAt, room.Persistent,
        room.ParticipantCount, room.Media, room.Record, admin.CountViewers(room.Name));
}

/// <param name="Name">1-64 characters of A-Z a-z 0-9 - _ .</param>
/// <param name="MaxParticipants">Null: the server's Signaling:MaxParticipantsPerRoom.</param>
/// <param name="Publishers">Identities that may publish; null: everyone whose token has the publish grant.</param>
/// <param name="Media">"sfu" (through the media server) or "p2p" (a mesh); null: the server's Signaling:DefaultMediaMode.</param>
/// <param name="Record">sfu rooms: recorded whenever participants are in it, from the first one's join until the last one leaves.</param>
public sealed record CreateRoomRequest(string Name, int? MaxParticipants = null, string[]? Publishers = null, string? Media = null, bool Record = false);

public sealed record ParticipantResponse(string Id, string Identity, string Name, JsonElement? State, DateTimeOffset JoinedAt, Grants Grants, bool Connected)
{
    public static ParticipantResponse From(ParticipantInfo p) => new(p.Id, p.Identity, p.Name, p.State, p.JoinedAt, p.Grants, p.Connected);
}

/// <param name="Room">The room the token admits to; null or "*" for any room.</param>
/// <param name="Grants">Null: join, publish and subscribe.</param>
/// <param name="TtlSeconds">Lifetime, 60 s to 30 days; null: 6 hours.</param>
public sealed record CreateTokenRequest(string Identity, string? Room = null, string? Name = null, Grants? Grants = null, int? TtlSeconds = null);

public sealed record TokenResponse(string Token, DateTimeOffset ExpiresAt);

/// <param name="Topic">What the message is about, for the app to tell its messages apart (at most 255 UTF-8 bytes).</param>
/// <param name="Text">A text payload; or <paramref name="Base64"/> for binary (neither: an empty binary message).</param>
/// <param name="To">Participant ids to send to; null: everyone in the room.</param>
/// <param name="Reliable">False: lossy (unordered, never retransmitted, dropped for receivers that lag).</param>
public sealed record SendDataRequest(string Topic, string? Text = null, string? Base64 = null, string[]? To = null, bool Reliable = true);

/// <param name="Queued">Participants the message was queued for.</param>
/// <param name="Dropped">Recipients that missed it: lagging, over their queue, no data channel yet, or the message too large for them.</param>
public sealed record SendDataResponse(int Queued, int Dropped);

/// <summary>Which of a participant's tracks to mute: microphone, camera, screen or screen-audio.</summary>
public sealed record MuteTrackRequest(string Source);
