using System.Text.Json;
using System.Text.Json.Serialization;
using Switchboard.Signaling.Ice;
using Switchboard.Signaling.Media;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Signaling.Protocol;

// Server -> client messages (docs/signaling.md, "Server -> client messages"). The `seq` of messages addressed
// to a participant is spliced in front of the serialized body per recipient (OutboundMessage), so these
// records carry no seq.

/// <summary>A participant as clients see it.</summary>
public sealed record ParticipantView(string Id, string Identity, string Name, JsonElement? State, DateTimeOffset JoinedAt);

/// <summary><c>joined</c> and <c>resumed</c>.</summary>
public sealed record JoinedMessage(
    [property: JsonPropertyOrder(-1)] string Type,
    string Room,
    ParticipantView Participant,
    IReadOnlyList<ParticipantView> Participants,
    IReadOnlyList<IceServer> IceServers,
    string ResumeToken,
    int PingInterval,
    int ResumeWindow,
    Grants Grants,
    string Media,
    IReadOnlyList<TrackView>? Tracks,
    bool Recording);

public sealed record ParticipantJoinedMessage(ParticipantView Participant)
{
    [JsonPropertyOrder(-1)] public string Type => "participant-joined";
}

public sealed record ParticipantUpdatedMessage(ParticipantView Participant)
{
    [JsonPropertyOrder(-1)] public string Type => "participant-updated";
}

public sealed record ParticipantLeftMessage(string ParticipantId, string Reason)
{
    [JsonPropertyOrder(-1)] public string Type => "participant-left";
}

/// <summary><c>offer</c> and <c>answer</c> as relayed, with the sender the server vouches for.</summary>
public sealed record RelayedSessionDescription([property: JsonPropertyOrder(-1)] string Type, string From, string Sdp);

public sealed record RelayedCandidate(string From, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonElement? Candidate)
{
    [JsonPropertyOrder(-1)] public string Type => "candidate";
}

public sealed record RelayedApplicationMessage(string From, JsonElement Data, bool Broadcast)
{
    [JsonPropertyOrder(-1)] public string Type => "message";
}

/// <summary><c>media-answer</c>: the media server's answer to this participant's last <c>media-offer</c>.</summary>
public sealed record MediaAnswerMessage(string Sdp)
{
    [JsonPropertyOrder(-1)] public string Type => "media-answer";
}

/// <summary><c>tracks</c>: every published track of the room.</summary>
public sealed record TracksMessage(IReadOnlyList<TrackView> Tracks)
{
    [JsonPropertyOrder(-1)] public string Type => "tracks";
}

/// <summary><c>speakers</c>: who speaks now, loudest first.</summary>
public sealed record SpeakersMessage(IReadOnlyList<SpeakerView> Speakers)
{
    [JsonPropertyOrder(-1)] public string Type => "speakers";
}

/// <summary><c>recording</c>: the room's recording started or stopped; while it is on, everything published in it is recorded.</summary>
public sealed record RecordingMessage(bool Active, string RecordingId)
{
    [JsonPropertyOrder(-1)] public string Type => "recording";
}

/// <summary><c>layers</c>: to a publisher, which simulcast layers of its track someone receives.</summary>
public sealed record LayersMessage(string TrackId, IReadOnlyList<bool> Active)
{
    [JsonPropertyOrder(-1)] public string Type => "layers";
}

public sealed record ErrorMessage(string Code, string Message, string? RequestId, bool Fatal)
{
    [JsonPropertyOrder(-1)] public string Type => "error";
}
