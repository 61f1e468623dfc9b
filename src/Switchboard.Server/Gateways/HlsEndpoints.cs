using Switchboard.Signaling.Protocol;

namespace Switchboard.Server.Gateways;

/// <summary>
/// HLS as the hls gateway writes it: <c>/hls/{room}/index.m3u8</c> and its init and media segments, open to players of
/// any origin (CORS), the playlist never cached (it changes with every segment).
/// </summary>
public static class HlsEndpoints
{
    public static IEndpointRouteBuilder MapHls(this IEndpointRouteBuilder app)
    {
        app.MapGet("/hls/{room}/{file}", (string room, string file, HttpContext context, GatewayService gateways) =>
        {
            context.Response.Headers.AccessControlAllowOrigin = "*";
            if (!ClientMessageReader.IsValidRoomName(room) || ContentType(file) is not { } type || file.Contains("..", StringComparison.Ordinal)
                || file.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
                return Results.NotFound();
            string path = Path.Combine(gateways.HlsDirectory, room, file);
            if (!File.Exists(path)) return Results.NotFound();
            context.Response.Headers.CacheControl = type == PlaylistType ? "no-cache" : "max-age=60";
            return Results.File(path, type, enableRangeProcessing: true);
        }).ExcludeFromDescription();
        return app;
    }

    private const string PlaylistType = "application/vnd.apple.mpegurl";

    private static string? ContentType(string file) => Path.GetExtension(file) switch
    {
        ".m3u8" => PlaylistType,
        ".m4s" => "video/iso.segment",
        ".mp4" => "video/mp4",
        _ => null,
    };
}
