using Microsoft.Extensions.FileProviders;
using Switchboard.Server.Http;

namespace Switchboard.Server;

/// <summary>
/// Serves the web app and the JS SDK from wwwroot: <c>/</c>, <c>/room/{name}</c>, <c>/test</c> (test my connection),
/// <c>/recordings</c> (an admin's list of recordings, to play, download, export and delete), <c>/admin</c> (the admin
/// dashboard: live charts of the server, its rooms and participants), <c>/quality</c> (participants' call-quality timelines),
/// <c>/live</c> and <c>/watch</c> (go live by WHIP, watch by WHEP or HLS), <c>/sdk/switchboard.js</c>, with the <see cref="SecurityHeaders"/> on every response of the server.
/// </summary>
public static class WebApp
{
    public static void MapWebApp(this WebApplication app)
    {
        app.UseSecurityHeaders();
        var root = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = root });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = root,
            // Revalidate every time: the app has no build step and no hashed file names.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        // The pages with addresses of their own: /room/{name} is the room page for any room.
        foreach (var (path, file) in new[] { ("/test", "test.html"), ("/admin", "admin.html"), ("/quality", "quality.html"),
            ("/recordings", "recordings.html"), ("/live", "live.html"), ("/watch", "watch.html"), ("/room/{name}", "room.html") })
        {
            var filePath = Path.Combine(AppContext.BaseDirectory, "wwwroot", file);
            app.MapGet(path, () => Results.File(filePath, "text/html; charset=utf-8")).ExcludeFromDescription();
        }
    }
}
