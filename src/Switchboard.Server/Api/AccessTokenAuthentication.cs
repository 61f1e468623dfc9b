using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Server.Api;

/// <summary>
/// The REST API's authentication: an access token as <c>Authorization: Bearer</c> (RFC 6750), checked by the
/// authorization middleware before the endpoint runs, so before any body is read or bound. A missing or bad token is
/// 401 with <c>WWW-Authenticate</c> saying why (§3.1), a token without the admin grant is 403; both as problem+json.
/// </summary>
public sealed class AccessTokenAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions, ILoggerFactory logger, UrlEncoder encoder,
    AccessTokenCodec tokens, TimeProvider time, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "Bearer";

    /// <summary>The policy of the REST API's routes: a valid access token with the admin grant.</summary>
    public const string AdminPolicy = "admin";

    const string GrantClaim = "grant";

    public static void AddAdminPolicy(AuthorizationOptions options) =>
        options.AddPolicy(AdminPolicy, policy => policy.AddAuthenticationSchemes(SchemeName).RequireAuthenticatedUser().RequireClaim(GrantClaim, "admin"));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return Task.FromResult(AuthenticateResult.NoResult());
        var validation = tokens.Validate(header["Bearer ".Length..].Trim(), time.GetUtcNow());
        if (validation.Token is not { } token) return Task.FromResult(AuthenticateResult.Fail(validation.Reason));
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, token.Identity) };
        if (token.Grants.Admin) claims.Add(new Claim(GrantClaim, "admin"));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var (error, detail) = result.Failure is { } failure
            ? ("invalid_token", $"The access token is not accepted: {failure.Message}.")
            : ("invalid_request", "Send an access token with the admin grant as 'Authorization: Bearer <token>'.");
        Response.Headers.WWWAuthenticate = $"Bearer realm=\"switchboard\", error=\"{error}\"";
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "Admin grant required",
            "The access token is valid but has no admin grant: create one with `switchboard token create --admin`.");

    async Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
