namespace Switchboard.Media.Contracts;

/// <summary>
/// What to record in a room: every published track (now and later), or only those of some participants, or only some
/// tracks (by track id, <c>participant/source</c>).
/// </summary>
public sealed record RecordingRequest(IReadOnlyList<string>? Participants = null, IReadOnlyList<string>? Tracks = null)
{
    public static readonly RecordingRequest Everything = new();

    public bool Includes(string participantId, string trackId) =>
        (Participants is null || Participants.Contains(participantId)) && (Tracks is null || Tracks.Contains(trackId));
}

[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<RecordingState>))]
public enum RecordingState
{
    /// <summary>Tracks are being written.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("recording")]
    Recording,

    /// <summary>Stopped by a request, the room's end, or the server's shutdown: every file is finished.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("stopped")]
    Stopped,

    /// <summary>Stopped by an error (the disk filled, the directory could not be written): the files written so far are finished.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("failed")]
    Failed,
}

/// <summary>One file of a recording: a track's media from one start to one end (a track may have several segments).</summary>
public sealed record RecordingFile(string Name, string TrackId, string ParticipantId, string Source, string Kind, string Codec,
    long Bytes, double DurationSeconds, DateTimeOffset? FirstSampleAt, int Width, int Height);

/// <summary>A recording as the API shows it.</summary>
public sealed record RecordingInfo(string Id, string Room, RecordingState State, DateTimeOffset StartedAt, DateTimeOffset? EndedAt,
    string? Error, IReadOnlyList<RecordingFile> Files);

/// <summary>Why a recording could not start.</summary>
public enum RecordingRefusal
{
    NoSuchRoom,
    AlreadyRecording,
    StorageUnavailable,
    Disabled,
}

/// <summary>A started recording, or why not.</summary>
public sealed record RecordingStart(RecordingInfo? Recording, RecordingRefusal? Refusal, string? Message);

/// <summary>
/// What to make of a recording's files: <c>participant</c>, one participant's audio and video in one file, in sync, without
/// transcoding; <c>room</c>, a grid of everyone's video with every voice mixed (transcoded); <c>audio</c>, every voice
/// mixed.
/// </summary>
public sealed record ExportRequest(string Kind, string? ParticipantId = null)
{
    public static readonly IReadOnlyList<string> Kinds = ["participant", "room", "audio"];
}

[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<ExportState>))]
public enum ExportState
{
    [System.Text.Json.Serialization.JsonStringEnumMemberName("running")]
    Running,

    [System.Text.Json.Serialization.JsonStringEnumMemberName("done")]
    Done,

    [System.Text.Json.Serialization.JsonStringEnumMemberName("failed")]
    Failed,
}

/// <summary>An export as the API shows it: its progress (0..1) while ffmpeg runs, then the file it made or why it failed.</summary>
public sealed record ExportInfo(string Id, string RecordingId, string Kind, string? ParticipantId, ExportState State, double Progress,
    string? File, string? Error);

/// <summary>The state of recording in a room changed: participants are told (consent) while it is on.</summary>
public sealed record RecordingChange(string Room, string RecordingId, bool Active);

/// <summary>
/// Server-side recording of a room's tracks, inside the media server: start and stop, what was recorded, and the files.
/// </summary>
public interface IRoomRecording
{
    RecordingStart Start(string room, RecordingRequest request);

    /// <summary>Stops and finishes every file; null when there is no such recording.</summary>
    Task<RecordingInfo?> StopAsync(string recordingId);

    IReadOnlyList<RecordingInfo> List(string? room = null);

    RecordingInfo? Get(string recordingId);

    /// <summary>The full path of one of a recording's files, or null.</summary>
    string? FilePath(string recordingId, string fileName);

    /// <summary>Deletes a stopped recording and its files; false when there is none or it is still recording.</summary>
    bool Delete(string recordingId);

    /// <summary>Starts an export of a stopped recording (ffmpeg, supervised); null with <paramref name="problem"/> when it cannot.</summary>
    ExportInfo? Export(string recordingId, ExportRequest request, out string? problem);

    ExportInfo? GetExport(string recordingId, string exportId);

    /// <summary>Whether the room is being recorded now (the id of its recording).</summary>
    string? ActiveIn(string room);

    event Action<RecordingChange>? RecordingChanged;
}
