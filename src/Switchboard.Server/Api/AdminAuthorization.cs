using Microsoft.Extensions.Options;
using Switchboard.Signaling;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Server.Api;

/// <summary>
/// The REST API takes an access token with the admin grant as <c>Authorization: Bearer</c> (RFC 6750): a missing or
/// bad token is 401 with <c>WWW-Authenticate</c> saying why (§3.1), a token without the admin grant is 403.
/// </summary>
public sealed class AdminAuthorization(IOptions<SignalingOptions> options, TimeProvider time) : IEndpointFilter
{
    readonly AccessTokenCodec _tokens = new(options.Value.ApiKeys);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Unauthorized(http, "invalid_request", "Send an access token with the admin grant as 'Authorization: Bearer <token>'.");
        var validation = _tokens.Validate(header["Bearer ".Length..].Trim(), time.GetUtcNow());
        if (validation.Token is not { } token)
            return Unauthorized(http, "invalid_token", $"The access token is not accepted: {validation.Reason}.");
        if (!token.Grants.Admin)
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Admin grant required",
                detail: "The access token is valid but has no admin grant: create one with `switchboard token create --admin`.");
        return await next(context);
    }

    static IResult Unauthorized(HttpContext http, string error, string detail)
    {
        http.Response.Headers.WWWAuthenticate = $"Bearer realm=\"switchboard\", error=\"{error}\"";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail);
    }
}
