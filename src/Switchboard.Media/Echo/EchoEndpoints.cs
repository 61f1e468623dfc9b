using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Switchboard.Media.Echo;

/// <summary>
/// The echo diagnostic over HTTP, shaped like WHIP (RFC 9725): POST an SDP offer, get the answer with 201 and the
/// session's URL; PATCH it with a new offer (ICE restart); GET it for the server's view (JSON); DELETE it to end.
/// </summary>
public static class EchoEndpoints
{
    public const int MaxOfferBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapEcho(this IEndpointRouteBuilder app, string path = "/api/echo")
    {
        var group = app.MapGroup(path).WithTags("Echo");
        group.MapPost("", async (HttpContext context, EchoService echo, IOptions<MediaOptions> options) =>
        {
            if (!options.Value.Echo.Enabled) return Results.Problem(statusCode: 404, title: "Echo disabled", detail: "The echo endpoint is off (Media:Echo:Enabled).");
            if (context.Request.ContentType?.Split(';')[0].Trim().Equals("application/sdp", StringComparison.OrdinalIgnoreCase) != true)
                return Results.Problem(statusCode: 415, title: "Unsupported media type", detail: "POST an SDP offer with Content-Type: application/sdp.");
            string? offer = await ReadBodyAsync(context);
            if (offer is null) return Results.Problem(statusCode: 413, title: "Offer too large", detail: $"An offer is at most {MaxOfferBytes} bytes.");
            EchoOfferResult result = echo.Offer(offer);
            if (result.Answer is null) return Results.Problem(statusCode: result.Status, title: result.Status == 503 ? "Echo unavailable" : "Invalid offer", detail: result.Problem);
            context.Response.Headers.Location = $"{context.Request.PathBase}{path}/{result.Session!.Id}";
            return Results.Text(result.Answer, "application/sdp", Encoding.UTF8, 201);
        }).Accepts<string>("application/sdp").Produces<string>(201, "application/sdp").ProducesProblem(400).ProducesProblem(415).ProducesProblem(503);

        group.MapPatch("/{id}", async (string id, HttpContext context, EchoService echo) =>
        {
            if (context.Request.ContentType?.Split(';')[0].Trim().Equals("application/sdp", StringComparison.OrdinalIgnoreCase) != true)
                return Results.Problem(statusCode: 415, title: "Unsupported media type", detail: "PATCH a new SDP offer with Content-Type: application/sdp.");
            string? offer = await ReadBodyAsync(context);
            if (offer is null) return Results.Problem(statusCode: 413, title: "Offer too large", detail: $"An offer is at most {MaxOfferBytes} bytes.");
            EchoOfferResult result = echo.Renegotiate(id, offer);
            if (result.Answer is null)
                return Results.Problem(statusCode: result.Status, title: result.Status == 404 ? "Echo session not found" : "Invalid offer", detail: result.Problem);
            return Results.Text(result.Answer, "application/sdp", Encoding.UTF8, 200);
        }).Accepts<string>("application/sdp").Produces<string>(200, "application/sdp").ProducesProblem(400).ProducesProblem(404);

        group.MapGet("/{id}", (string id, EchoService echo) => echo.Find(id) is { } entry
            ? Results.Json(EchoStatus.Of(entry.Session, entry.Peer), EchoJsonContext.Default.EchoStatus)
            : Results.Problem(statusCode: 404, title: "Echo session not found", detail: $"No echo session '{id}'."));

        group.MapDelete("/{id}", (string id, EchoService echo) => echo.End(id)
            ? Results.NoContent()
            : Results.Problem(statusCode: 404, title: "Echo session not found", detail: $"No echo session '{id}'."));
        return app;
    }

    /// <summary>The body as text, or null when it is longer than <see cref="MaxOfferBytes"/>.</summary>
    private static async Task<string?> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxOfferBytes) return null;
        var buffer = new byte[MaxOfferBytes + 1];
        int filled = 0;
        while (filled < buffer.Length)
        {
            int read = await context.Request.Body.ReadAsync(buffer.AsMemory(filled), context.RequestAborted);
            if (read == 0) break;
            filled += read;
        }
        return filled > MaxOfferBytes ? null : Encoding.UTF8.GetString(buffer, 0, filled);
    }
}
