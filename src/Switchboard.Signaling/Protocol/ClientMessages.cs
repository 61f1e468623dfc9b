using System.Text.Json;
using Switchboard.Signaling.Media;

namespace Switchboard.Signaling.Protocol;

// Client -> server messages (docs/signaling.md, "Client -> server messages"). Each record is one `type`;
// `required` members are enforced by the deserializer, ranges by ClientMessageReader.

/// <summary>Fields every client message may carry.</summary>
public abstract record ClientMessage
{
    /// <summary>Echoed as <c>requestId</c> in an error this message causes.</summary>
    public string? Id { get; init; }
}

public sealed record JoinMessage : ClientMessage
{
    public required string Room { get; init; }
    public string? Name { get; init; }
    public string? Token { get; init; }
    public JsonElement? State { get; init; }
}

public sealed record ResumeMessage : ClientMessage
{
    public required string ResumeToken { get; init; }
    public required long LastSeq { get; init; }
}

/// <summary><c>offer</c> and <c>answer</c>.</summary>
public sealed record SessionDescriptionMessage : ClientMessage
{
    public required string To { get; init; }
    public required string Sdp { get; init; }
}

public sealed record CandidateMessage : ClientMessage
{
    public required string To { get; init; }

    /// <summary>RTCIceCandidateInit, or null for the end of candidates.</summary>
    public required JsonElement? Candidate { get; init; }
}

public sealed record UpdateMessage : ClientMessage
{
    public string? Name { get; init; }
    public JsonElement? State { get; init; }
}

public sealed record ApplicationMessage : ClientMessage
{
    public string? To { get; init; }
    public required JsonElement Data { get; init; }
}

/// <summary><c>media-offer</c>: this participant's offer to the media server, with what each section carries.</summary>
public sealed record MediaOfferMessage : ClientMessage
{
    public required string Sdp { get; init; }
    public IReadOnlyList<TrackPublication>? Publish { get; init; }
    public IReadOnlyList<TrackSubscription>? Subscribe { get; init; }
}

public sealed record MuteMessage : ClientMessage
{
    public required string Source { get; init; }
    public required bool Muted { get; init; }
}

/// <summary><c>track-settings</c>: how large the client renders a track it receives.</summary>
public sealed record TrackSettingsMessage : ClientMessage
{
    public required string TrackId { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    /// <summary>False pauses the track for this subscriber; absent means true (an init default would not survive source-generated reading).</summary>
    public bool? Enabled { get; init; }
}

/// <summary><c>leave</c>, <c>ping</c> and <c>pong</c>: nothing but the type.</summary>
public sealed record BareMessage : ClientMessage;
