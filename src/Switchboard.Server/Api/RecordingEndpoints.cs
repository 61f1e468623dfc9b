using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.StaticFiles;
using Switchboard.Media.Contracts;
using Switchboard.Signaling.Rooms;

namespace Switchboard.Server.Api;

/// <summary>
/// Server-side recording: /api/rooms/{name}/recordings to start one, /api/recordings to list, get, stop and delete them,
/// and /api/recordings/{id}/files/{file} to download a file (HTTP range requests, so players can seek).
/// </summary>
public static class RecordingEndpoints
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = CreateContentTypes();

    public static void MapRecordings(this RouteGroupBuilder api)
    {
        api.MapPost("/rooms/{name}/recordings", async Task<Results<Created<RecordingInfo>, ProblemHttpResult>> (string name, StartRecordingRequest? request,
                IRoomAdministration admin, IRoomRecording recording, CancellationToken cancel) =>
            {
                if (await admin.GetRoomAsync(name, cancel) is not { } room) return RoomEndpoints.RoomNotFound(name);
                if (room.Media != MediaModes.Sfu)
                    return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not recordable",
                        detail: $"Room '{name}' is a p2p room: its media goes between the participants, not through the server.");
                RecordingStart start = recording.Start(name, new RecordingRequest(request?.Participants, request?.Tracks));
                return start.Recording is { } started
                    ? TypedResults.Created($"/api/recordings/{started.Id}", started)
                    : start.Refusal switch
                    {
                        RecordingRefusal.AlreadyRecording => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already recording", detail: start.Message),
                        RecordingRefusal.StorageUnavailable => TypedResults.Problem(statusCode: StatusCodes.Status507InsufficientStorage, title: "No storage", detail: start.Message),
                        _ => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Recording unavailable", detail: start.Message),
                    };
            })
            .WithTags("Recordings")
            .WithSummary("Start recording a room: every track published in it, or only some participants' or tracks")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable).ProducesProblem(StatusCodes.Status507InsufficientStorage);

        var recordings = api.MapGroup("/recordings").WithTags("Recordings");

        recordings.MapGet("/", (string? room, IRoomRecording recording) => recording.List(room))
            .WithSummary("List recordings (of one room with ?room=)");

        recordings.MapGet("/{id}", Results<Ok<RecordingInfo>, ProblemHttpResult> (string id, IRoomRecording recording) =>
                recording.Get(id) is { } info ? TypedResults.Ok(info) : NotFound(id))
            .WithSummary("Get a recording: its state, error, and files with their sizes, durations and first sample's wall-clock time");

        recordings.MapPost("/{id}/stop", async Task<Results<Ok<RecordingInfo>, ProblemHttpResult>> (string id, IRoomRecording recording) =>
                await recording.StopAsync(id) is { } info ? TypedResults.Ok(info) : NotFound(id))
            .WithSummary("Stop a recording; every file is finished before the answer");

        recordings.MapDelete("/{id}", Results<NoContent, ProblemHttpResult> (string id, IRoomRecording recording) =>
                recording.Get(id) is not { } info ? NotFound(id)
                : info.State == RecordingState.Recording
                    ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Still recording", detail: $"Recording '{id}' is running: stop it first.")
                    : recording.Delete(id) ? TypedResults.NoContent() : NotFound(id))
            .WithSummary("Delete a stopped recording and its files");

        recordings.MapPost("/{id}/exports", Results<Accepted<ExportInfo>, ProblemHttpResult> (string id, ExportRequest request, IRoomRecording recording) =>
                recording.Export(id, request, out string? problem) is { } export
                    ? TypedResults.Accepted($"/api/recordings/{id}/exports/{export.Id}", export)
                    : recording.Get(id) is null ? NotFound(id)
                    : TypedResults.Problem(statusCode: problem!.Contains("still running", StringComparison.Ordinal) ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest,
                        title: "Cannot export", detail: problem))
            .WithSummary("Export a stopped recording: one participant's audio and video in sync (participant), a grid with every voice (room), or every voice (audio)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        recordings.MapGet("/{id}/exports/{exportId}", Results<Ok<ExportInfo>, ProblemHttpResult> (string id, string exportId, IRoomRecording recording) =>
                recording.GetExport(id, exportId) is { } export ? TypedResults.Ok(export)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Export not found", detail: $"Recording '{id}' has no export '{exportId}'."))
            .WithSummary("An export's progress (0..1), then its file (download it from files/) or why it failed");

        recordings.MapGet("/{id}/files/{file}", Results<PhysicalFileHttpResult, ProblemHttpResult> (string id, string file, IRoomRecording recording) =>
                recording.FilePath(id, file) is { } path
                    ? TypedResults.PhysicalFile(path, ContentTypes.TryGetContentType(file, out string? type) ? type : "application/octet-stream",
                        fileDownloadName: null, enableRangeProcessing: true)
                    : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "File not found", detail: $"Recording '{id}' has no file '{file}'."))
            .WithSummary("Download one of a recording's files (range requests supported)");
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Recording not found", detail: $"No recording '{id}'.");

    private static FileExtensionContentTypeProvider CreateContentTypes()
    {
        var provider = new FileExtensionContentTypeProvider();
        provider.Mappings[".webm"] = "video/webm";
        provider.Mappings[".mkv"] = "video/x-matroska";
        provider.Mappings[".ogg"] = "audio/ogg";
        provider.Mappings[".opus"] = "audio/ogg";
        provider.Mappings[".mp4"] = "video/mp4";
        provider.Mappings[".json"] = "application/json";
        return provider;
    }
}

/// <summary>What to record: everyone (both null), some participants (ids), or some tracks (ids, participant/source).</summary>
public sealed record StartRecordingRequest(string[]? Participants = null, string[]? Tracks = null);
