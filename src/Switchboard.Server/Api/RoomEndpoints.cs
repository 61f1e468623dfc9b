using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Switchboard.Media;
using Switchboard.Media.Contracts;
using Switchboard.Signaling.Events;
using Switchboard.Signaling.Rooms;

namespace Switchboard.Server.Api;

/// <summary>/api/rooms: list, create, get and delete rooms; list and remove their participants; send on a room's data bus.</summary>
public static class RoomEndpoints
{
    public static void MapRooms(this RouteGroupBuilder api)
    {
        var rooms = api.MapGroup("/rooms").WithTags("Rooms");

        rooms.MapGet("/", async (IRoomAdministration admin, CancellationToken cancel) =>
                (await admin.ListRoomsAsync(cancel)).Select(r => RoomResponse.From(r, admin)).ToList())
            .WithSummary("List the rooms");

        rooms.MapPost("/", async Task<Results<Created<RoomResponse>, ProblemHttpResult>> (CreateRoomRequest request, IRoomAdministration admin, CancellationToken cancel) =>
            {
                var creation = await admin.CreateRoomAsync(new RoomSettings(request.Name, request.MaxParticipants, request.Publishers, request.Media, request.Record), cancel);
                return creation.Outcome switch
                {
                    RoomCreationOutcome.Created => TypedResults.Created($"/api/rooms/{creation.Room!.Name}", RoomResponse.From(creation.Room, admin)),
                    RoomCreationOutcome.AlreadyExists => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Room exists", detail: $"Room '{request.Name}' already exists."),
                    RoomCreationOutcome.TooManyRooms => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many rooms", detail: "The server holds its maximum number of rooms (Signaling:MaxRooms)."),
                    _ => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid room",
                        detail: "name must be 1-64 characters of A-Z a-z 0-9 - _ ., maxParticipants at least 1 and media 'sfu' or 'p2p'."),
                };
            })
            .WithSummary("Create a room with settings")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);

        rooms.MapGet("/{name}", async Task<Results<Ok<RoomResponse>, ProblemHttpResult>> (string name, IRoomAdministration admin, CancellationToken cancel) =>
                await admin.GetRoomAsync(name, cancel) is { } room ? TypedResults.Ok(RoomResponse.From(room, admin)) : RoomNotFound(name))
            .WithSummary("Get a room");

        rooms.MapDelete("/{name}", async Task<Results<NoContent, ProblemHttpResult>> (string name, IRoomAdministration admin, CancellationToken cancel) =>
                await admin.DeleteRoomAsync(name, cancel) ? TypedResults.NoContent() : RoomNotFound(name))
            .WithSummary("Delete a room; its participants are disconnected (room-deleted)");

        rooms.MapGet("/{name}/participants", async Task<Results<Ok<List<ParticipantResponse>>, ProblemHttpResult>> (string name, IRoomAdministration admin, CancellationToken cancel) =>
                await admin.ListParticipantsAsync(name, cancel) is { } participants
                    ? TypedResults.Ok(participants.Select(ParticipantResponse.From).ToList())
                    : RoomNotFound(name))
            .WithSummary("List a room's participants");

        rooms.MapGet("/{name}/media", async Task<Results<Ok<IReadOnlyList<ParticipantMediaStatistics>>, ProblemHttpResult>> (string name, IRoomAdministration admin,
                IRoomMedia media, IServiceProvider services, CancellationToken cancel) =>
                await admin.GetRoomAsync(name, cancel) is null ? RoomNotFound(name) : TypedResults.Ok(TurnEndpoints.MarkRelayed(media.Statistics(name), services)))
            .WithSummary("Each participant's media now: connection, round trip, loss and jitter both ways, bandwidth estimate, tracks, layers received and why, recent media events");

        rooms.MapGet("/{name}/events", Results<Ok<IReadOnlyList<RoomEvent>>, ProblemHttpResult> (string name, RoomEventFeed feed, int? limit) =>
                limit is < 1 or > RoomEventFeed.HistorySize
                    ? TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid limit", detail: $"limit must be 1-{RoomEventFeed.HistorySize}.")
                    : TypedResults.Ok(feed.Recent(name, limit ?? 50)))
            .WithSummary("The room's recent events (joins, leaves, tracks, recordings), the oldest first; the server keeps its last 1,000 events")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        rooms.MapDelete("/{name}/participants/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string name, string id, IRoomAdministration admin, CancellationToken cancel) =>
                await admin.RemoveParticipantAsync(name, id, cancel)
                    ? TypedResults.NoContent()
                    : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Participant not found", detail: $"No participant '{id}' in room '{name}'."))
            .WithSummary("Remove a participant (it gets 'removed' and is disconnected)");

        rooms.MapPost("/{name}/participants/{id}/mute", Results<NoContent, ProblemHttpResult> (string name, string id, MuteTrackRequest request, IRoomAdministration admin) =>
                !TrackSources.TryParse(request.Source, out TrackSource source)
                    ? TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid track source", detail: $"source must be one of {string.Join(", ", TrackSources.Names)}.")
                    : admin.MuteTrack(name, id, source)
                        ? TypedResults.NoContent()
                        : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Track not found", detail: $"No participant '{id}' in room '{name}' publishing a {request.Source} track through the SFU."))
            .WithSummary("Mute a participant's track for everyone (only the participant can unmute it)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        rooms.MapPost("/{name}/data", async Task<Results<Accepted<SendDataResponse>, ProblemHttpResult>> (string name, SendDataRequest request,
                IRoomAdministration admin, IRoomData data, IOptions<MediaOptions> media, CancellationToken cancel) =>
            {
                if (await admin.GetRoomAsync(name, cancel) is not { } room) return RoomNotFound(name);
                if (room.Media != MediaModes.Sfu)
                    return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "No data bus",
                        detail: $"Room '{name}' is a p2p room: its data goes between the participants, not through the server.");
                if (Validate(request, media.Value.Sfu.DataMaxMessageSize, out byte[] payload) is { } problem)
                    return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid data message", detail: problem);
                var outcome = data.Send(name, new DataMessage(request.Topic, payload, request.Text is not null, request.Reliable, request.To));
                return TypedResults.Accepted($"/api/rooms/{name}", new SendDataResponse(outcome.Queued, outcome.Dropped));
            })
            .WithSummary("Send a message on the room's data bus to everyone or to some participants (sender: the server)")
            .WithMetadata(new DataBodyLimit(((IEndpointRouteBuilder)api).ServiceProvider))
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>
    /// The data endpoint's body limit: the largest message in base64 and room for the rest. Read per request, once the
    /// settings were validated (reading them while the routes are mapped would fail the start before it can name a bad setting).
    /// </summary>
    sealed class DataBodyLimit(IServiceProvider services) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => (services.GetRequiredService<IOptions<MediaOptions>>().Value.Sfu.DataMaxMessageSize + 2L) / 3 * 4 + RestApi.MaxBodyBytes;
    }

    /// <summary>Null when the message can be sent; else what is wrong with it.</summary>
    static string? Validate(SendDataRequest request, int maxMessageSize, out byte[] payload)
    {
        payload = [];
        if (request.Topic is null || Encoding.UTF8.GetByteCount(request.Topic) > DataMessage.MaxTopicBytes) return $"topic is required and at most {DataMessage.MaxTopicBytes} UTF-8 bytes";
        if (request.Text is not null && request.Base64 is not null) return "give text or base64, not both";
        if (request.To is { } to && (to.Length > DataMessage.MaxRecipients || to.Any(id => string.IsNullOrEmpty(id) || Encoding.UTF8.GetByteCount(id) > 255)))
            return $"to names at most {DataMessage.MaxRecipients} participant ids, none empty";
        if (request.Base64 is { } base64)
        {
            try { payload = Convert.FromBase64String(base64); }
            catch (FormatException) { return "base64 is not valid base64"; }
        }
        else if (request.Text is { } text) payload = Encoding.UTF8.GetBytes(text);
        return payload.Length > maxMessageSize ? $"the payload is {payload.Length} bytes; at most {maxMessageSize} (Media:Sfu:DataMaxMessageSize)" : null;
    }

    internal static ProblemHttpResult RoomNotFound(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Room not found", detail: $"Room '{name}' does not exist.");
}
