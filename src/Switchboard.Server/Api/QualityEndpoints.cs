using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Signaling.Quality;

namespace Switchboard.Server.Api;

/// <summary>
/// The call-quality timelines the clients' <c>stats</c> build (docs/rest-api.md, "Call quality"): /api/quality lists calls
/// by room, identity and time, /api/quality/{callId} gives one's timeline, and a participant's latest summary is under its room.
/// </summary>
public static class QualityEndpoints
{
    public static void MapQuality(this RouteGroupBuilder api)
    {
        var quality = api.MapGroup("/quality").WithTags("Call quality");

        quality.MapGet("/", (string? room, string? identity, DateTimeOffset? at, CallQualityLog log, TimeProvider time) =>
                log.List(room, identity, at, time.GetUtcNow()))
            .WithSummary($"List calls, newest first (at most {CallQualityLog.MaxListed}): of a room, an identity, on about a time (at, within 5 minutes)");

        quality.MapGet("/{callId}", Results<Ok<CallTimeline>, ProblemHttpResult> (string callId, CallQualityLog log) =>
                log.Timeline(callId) is { } timeline ? TypedResults.Ok(timeline)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Call not found",
                    detail: $"No call '{callId}': it sent no stats, or ended longer ago than Signaling:Quality:RetentionMinutes."))
            .WithSummary("A call's quality timeline: a score per minute and what degraded");

        api.MapGet("/rooms/{name}/participants/{id}/quality", Results<Ok<LiveQuality>, ProblemHttpResult> (string name, string id, CallQualityLog log) =>
                log.Live(name, id) is { } live ? TypedResults.Ok(live)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No quality summary",
                    detail: $"Participant '{id}' of room '{name}' has sent no stats (or its call is no longer kept)."))
            .WithTags("Call quality")
            .WithSummary("A participant's latest stats summary and the score of its current minute");
    }
}
