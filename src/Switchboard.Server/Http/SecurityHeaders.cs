namespace Switchboard.Server.Http;

/// <summary>
/// Headers on every response of the web server (docs/security.md, "Web app"): a Content Security Policy that lets pages
/// load scripts, styles, media and connections from this origin only (no inline script, no eval, no plugins) and be
/// framed by no one; no Referer to anyone, so no address, query included, leaves with a request; no content sniffing.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static void UseSecurityHeaders(this WebApplication app) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        return next(context);
    });
}
