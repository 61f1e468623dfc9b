using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Signaling.Rooms;

namespace Switchboard.Server.Api;

/// <summary>/api/rooms: list, create, get and delete rooms; list and remove their participants.</summary>
public static class RoomEndpoints
{
    public static void MapRooms(this RouteGroupBuilder api)
    {
        var rooms = api.MapGroup("/rooms").WithTags("Rooms");

        rooms.MapGet("/", async (IRoomAdministration admin, CancellationToken cancel) =>
                (await admin.ListRoomsAsync(cancel)).Select(RoomResponse.From).ToList())
            .WithSummary("List the rooms");

        rooms.MapPost("/", async Task<Results<Created<RoomResponse>, ProblemHttpResult>> (CreateRoomRequest request, IRoomAdministration admin, CancellationToken cancel) =>
            {
                var creation = await admin.CreateRoomAsync(new RoomSettings(request.Name, request.MaxParticipants, request.Publishers, request.Media), cancel);
                return creation.Outcome switch
                {
                    RoomCreationOutcome.Created => TypedResults.Created($"/api/rooms/{creation.Room!.Name}", RoomResponse.From(creation.Room)),
                    RoomCreationOutcome.AlreadyExists => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Room exists", detail: $"Room '{request.Name}' already exists."),
                    RoomCreationOutcome.TooManyRooms => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many rooms", detail: "The server holds its maximum number of rooms (Signaling:MaxRooms)."),
                    _ => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid room",
                        detail: "name must be 1-64 characters of A-Z a-z 0-9 - _ ., maxParticipants at least 1 and media 'sfu' or 'p2p'."),
                };
            })
            .WithSummary("Create a room with settings")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);

        rooms.MapGet("/{name}", async Task<Results<Ok<RoomResponse>, ProblemHttpResult>> (string name, IRoomAdministration admin, CancellationToken cancel) =>
                await admin.GetRoomAsync(name, cancel) is { } room ? TypedResults.Ok(RoomResponse.From(room)) : RoomNotFound(name))
            .WithSummary("Get a room");

        rooms.MapDelete("/{name}", async Task<Results<NoContent, ProblemHttpResult>> (string name, IRoomAdministration admin, CancellationToken cancel) =>
                await admin.DeleteRoomAsync(name, cancel) ? TypedResults.NoContent() : RoomNotFound(name))
            .WithSummary("Delete a room; its participants are disconnected (room-deleted)");

        rooms.MapGet("/{name}/participants", async Task<Results<Ok<List<ParticipantResponse>>, ProblemHttpResult>> (string name, IRoomAdministration admin, CancellationToken cancel) =>
                await admin.ListParticipantsAsync(name, cancel) is { } participants
                    ? TypedResults.Ok(participants.Select(ParticipantResponse.From).ToList())
                    : RoomNotFound(name))
            .WithSummary("List a room's participants");

        rooms.MapDelete("/{name}/participants/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string name, string id, IRoomAdministration admin, CancellationToken cancel) =>
                await admin.RemoveParticipantAsync(name, id, cancel)
                    ? TypedResults.NoContent()
                    : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Participant not found", detail: $"No participant '{id}' in room '{name}'."))
            .WithSummary("Remove a participant (it gets 'removed' and is disconnected)");
    }

    static ProblemHttpResult RoomNotFound(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Room not found", detail: $"Room '{name}' does not exist.");
}
