using Switchboard.Media.Contracts;

namespace Switchboard.Signaling.Events;

/// <summary>
/// Something that happened in a room, as webhooks and the event stream carry it (docs/events.md). <see cref="Sequence"/>
/// numbers the server's events from 1 in the order they happened; <see cref="Id"/> is unique, for receivers to drop a
/// repeated delivery.
/// </summary>
public sealed record RoomEvent(string Id, long Sequence, string Type, string Room, DateTimeOffset CreatedAt)
{
    public RoomEventParticipant? Participant { get; init; }

    /// <summary>Why a participant left: left, disconnected, removed, replaced (docs/signaling.md, "participant-left").</summary>
    public string? Reason { get; init; }

    public RoomEventTrack? Track { get; init; }

    public RecordingInfo? Recording { get; init; }
}

public sealed record RoomEventParticipant(string Id, string Identity, string Name);

/// <param name="Kind">"audio" or "video".</param>
/// <param name="Source">microphone, camera, screen or screen-audio.</param>
public sealed record RoomEventTrack(string Id, string ParticipantId, string Kind, string Source);

/// <summary>The event types, in the words of the wire.</summary>
public static class RoomEventTypes
{
    public const string RoomStarted = "room_started";
    public const string RoomFinished = "room_finished";
    public const string ParticipantJoined = "participant_joined";
    public const string ParticipantLeft = "participant_left";
    public const string TrackPublished = "track_published";
    public const string TrackUnpublished = "track_unpublished";
    public const string RecordingStarted = "recording_started";
    public const string RecordingFinished = "recording_finished";
}
