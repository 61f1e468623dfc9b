using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Switchboard.Signaling;
using Switchboard.Signaling.Protocol;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Server.Api;

/// <summary>POST /api/tokens: mints an access token for a participant (the caller holds an admin token).</summary>
public static class TokenEndpoints
{
    public const int DefaultTtlSeconds = 6 * 3600, MinTtlSeconds = 60, MaxTtlSeconds = 30 * 24 * 3600;

    public static void MapTokens(this RouteGroupBuilder api)
    {
        api.MapPost("/tokens", Results<Ok<TokenResponse>, ProblemHttpResult> (CreateTokenRequest request, IOptions<SignalingOptions> options, TimeProvider time) =>
            {
                if (Problem(request) is { } problem)
                    return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid token request", detail: problem);
                var now = time.GetUtcNow();
                var expires = now.AddSeconds(request.TtlSeconds ?? DefaultTtlSeconds);
                var token = new AccessToken(request.Identity, request.Name, request.Room, request.Grants ?? Grants.Participant, expires);
                return TypedResults.Ok(new TokenResponse(AccessTokenCodec.Create(token, options.Value.ApiKeys[0], now), expires));
            })
            .WithTags("Tokens")
            .WithSummary("Mint an access token")
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    static string? Problem(CreateTokenRequest request) =>
        string.IsNullOrWhiteSpace(request.Identity) || request.Identity.Length > AccessToken.MaxIdentityLength ? "identity must be 1-128 characters"
        : request.Room is not null and not "*" && !ClientMessageReader.IsValidRoomName(request.Room) ? "room must be 1-64 characters of A-Z a-z 0-9 - _ . (or *)"
        : request.Name is { Length: > ClientMessageReader.MaxNameLength } ? "name is longer than 64 characters"
        : request.TtlSeconds is < MinTtlSeconds or > MaxTtlSeconds ? $"ttlSeconds must be {MinTtlSeconds}-{MaxTtlSeconds}"
        : null;
}
