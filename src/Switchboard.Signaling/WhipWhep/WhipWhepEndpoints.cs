using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Switchboard.Signaling.Ice;
using Switchboard.Signaling.Protocol;

namespace Switchboard.Signaling.WhipWhep;

/// <summary>
/// WHIP (RFC 9725) at <c>/whip/{room}</c> and WHEP (draft-ietf-wish-whep) at <c>/whep/{room}</c>: POST an SDP offer
/// for a session at <c>Location</c>, PATCH it with RFC 8840 fragments (trickle ICE, ICE restarts), DELETE it to leave.
/// Open to pages of any origin (CORS: the token travels in Authorization, never in a cookie); errors are text/plain.
/// </summary>
public static class WhipWhepEndpoints
{
    /// <summary>Longest offer or fragment read: a browser's offer with three simulcast layers is under 10 KiB.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Seconds a client is told to wait when the room or the media server is full (RFC 9110 §10.2.3).</summary>
    public const int RetryAfterSeconds = 10;

    public static IEndpointRouteBuilder MapWhipWhep(this IEndpointRouteBuilder app)
    {
        Map(app, WhipWhepKind.Whip, "/whip");
        Map(app, WhipWhepKind.Whep, "/whep");
        return app;
    }

    static void Map(IEndpointRouteBuilder app, WhipWhepKind kind, string prefix)
    {
        var group = app.MapGroup(prefix).ExcludeFromDescription().AddEndpointFilter(async (context, next) =>
        {
            var headers = context.HttpContext.Response.Headers;
            headers.AccessControlAllowOrigin = "*";
            headers.AccessControlExposeHeaders = "Location, ETag, Link, Accept-Patch, Retry-After";
            return await next(context);
        });

        group.MapMethods("/{room}", ["OPTIONS"], (HttpContext context) =>
        {
            Preflight(context, "POST, OPTIONS");
            context.Response.Headers["Accept-Post"] = "application/sdp";
            return Results.NoContent();
        });

        group.MapPost("/{room}", async (string room, HttpContext context, SignalingHub hub) =>
        {
            var client = hub.AuthenticateWhipWhep(kind, room, Bearer(context.Request));
            if (client.Error != WhipWhepError.None) return Error(context, client.Error, client.Message!);
            if (!HasContentType(context.Request, "application/sdp"))
                return Text(StatusCodes.Status415UnsupportedMediaType, "POST an SDP offer with Content-Type: application/sdp");
            var (body, problem) = await ReadBodyAsync(context.Request, context.RequestAborted);
            if (body is null) return problem!;
            var result = await hub.StartWhipWhepAsync(kind, room, client, body, context.Request.Host.Host);
            if (result.Session is not { } session) return Error(context, result.Error, result.Message!);
            var headers = context.Response.Headers;
            headers.Location = $"{context.Request.PathBase}{prefix}/{room}/{session.Id}";
            headers.ETag = session.ETag;
            headers["Accept-Patch"] = TrickleIceFragment.MediaType;
            headers.Link = result.IceServers!.SelectMany(LinksOf).ToArray();
            return Results.Text(result.Body, "application/sdp", Encoding.UTF8, StatusCodes.Status201Created);
        });

        group.MapMethods("/{room}/{id}", ["OPTIONS"], (HttpContext context) =>
        {
            Preflight(context, "PATCH, DELETE, OPTIONS");
            context.Response.Headers["Accept-Patch"] = TrickleIceFragment.MediaType;
            return Results.NoContent();
        });

        group.MapPatch("/{room}/{id}", async (string room, string id, HttpContext context, SignalingHub hub) =>
        {
            if (hub.FindWhipWhep(kind, room, id) is not { } session) return NoSession(room, id);
            if (!HasContentType(context.Request, TrickleIceFragment.MediaType))
                return Text(StatusCodes.Status415UnsupportedMediaType, $"PATCH an RFC 8840 fragment with Content-Type: {TrickleIceFragment.MediaType}");
            var (body, problem) = await ReadBodyAsync(context.Request, context.RequestAborted);
            if (body is null) return problem!;
            var result = hub.PatchWhipWhep(session, context.Request.Headers.IfMatch.Count > 0 ? context.Request.Headers.IfMatch.ToString() : null, body);
            if (result.Error != WhipWhepError.None) return Error(context, result.Error, result.Message!);
            if (result.Body is null) return Results.NoContent(); // trickled candidates: an ICE-lite server needs none
            context.Response.Headers.ETag = session.ETag;
            return Results.Text(result.Body, TrickleIceFragment.MediaType, Encoding.UTF8, StatusCodes.Status200OK);
        });

        group.MapDelete("/{room}/{id}", async (string room, string id, SignalingHub hub) =>
        {
            if (hub.FindWhipWhep(kind, room, id) is not { } session) return NoSession(room, id);
            await hub.EndWhipWhepAsync(session, LeaveReasons.Left);
            return Results.Ok();
        });
    }

    static void Preflight(HttpContext context, string methods)
    {
        var headers = context.Response.Headers;
        headers.Allow = methods;
        headers.AccessControlAllowMethods = methods;
        headers.AccessControlAllowHeaders = "Authorization, Content-Type, If-Match";
        headers.AccessControlMaxAge = "86400";
    }

    /// <summary>The bearer token (RFC 6750 §2.1), or null without one.</summary>
    static string? Bearer(HttpRequest request)
    {
        string authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
    }

    static bool HasContentType(HttpRequest request, string mediaType) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) && parsed.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The body as UTF-8 text, at most <see cref="MaxBodyBytes"/> (checked before and while reading), or the error to answer.</summary>
    static async Task<(string? Body, IResult? Problem)> ReadBodyAsync(HttpRequest request, CancellationToken cancel)
    {
        IResult TooLarge() => Text(StatusCodes.Status413PayloadTooLarge, $"the body is larger than {MaxBodyBytes} bytes");
        if (request.ContentLength > MaxBodyBytes) return (null, TooLarge());
        var buffer = new byte[MaxBodyBytes + 1];
        int filled = 0, read;
        while (filled < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(filled), cancel)) > 0) filled += read;
        if (filled > MaxBodyBytes) return (null, TooLarge());
        if (filled == 0) return (null, Text(StatusCodes.Status400BadRequest, "the body is empty"));
        try { return (new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, filled), null); }
        catch (DecoderFallbackException) { return (null, Text(StatusCodes.Status400BadRequest, "the body is not UTF-8 text")); }
    }

    /// <summary>One <c>Link</c> per ICE server URL (RFC 9725 §4.6), with the TURN REST credentials the join answer hands out.</summary>
    static IEnumerable<string> LinksOf(IceServer server) => server.Urls.Select(url => server.Username is null
        ? $"<{url}>; rel=\"ice-server\""
        : $"<{url}>; rel=\"ice-server\"; username=\"{server.Username}\"; credential=\"{server.Credential}\"; credential-type=\"password\"");

    static IResult Error(HttpContext context, WhipWhepError error, string message)
    {
        int status = error switch
        {
            WhipWhepError.TokenRequired or WhipWhepError.TokenInvalid => StatusCodes.Status401Unauthorized,
            WhipWhepError.Forbidden => StatusCodes.Status403Forbidden,
            WhipWhepError.NotFound => StatusCodes.Status404NotFound,
            WhipWhepError.InvalidOffer => StatusCodes.Status400BadRequest,
            WhipWhepError.Conflict or WhipWhepError.NothingPublished => StatusCodes.Status409Conflict,
            WhipWhepError.Full => StatusCodes.Status503ServiceUnavailable,
            WhipWhepError.PreconditionRequired => StatusCodes.Status428PreconditionRequired,
            WhipWhepError.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
            _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
        };
        var headers = context.Response.Headers;
        if (error == WhipWhepError.TokenRequired) headers.WWWAuthenticate = "Bearer";
        if (error == WhipWhepError.TokenInvalid) headers.WWWAuthenticate = "Bearer error=\"invalid_token\""; // RFC 6750 §3.1
        if (error is WhipWhepError.Full or WhipWhepError.NothingPublished) headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Text(status, message);
    }

    static IResult NoSession(string room, string id) => Text(StatusCodes.Status404NotFound, $"no session '{id}' in room '{room}' (it ended, or never was)");

    static IResult Text(int status, string message) => Results.Text(message + "\n", "text/plain", Encoding.UTF8, status);
}
