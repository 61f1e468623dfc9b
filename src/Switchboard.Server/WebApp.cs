using Microsoft.Extensions.FileProviders;
using Switchboard.Server.Http;

namespace Switchboard.Server;

/// <summary>
/// Serves the web app and the JS SDK from wwwroot: <c>/</c>, <c>/room/{name}</c>, <c>/test</c> (test my connection),
/// <c>/recordings</c> (an admin's list of recordings, to play, download, export and delete), <c>/admin</c> (the admin
/// dashboard: live charts of the server, its rooms and participants), <c>/quality</c> (participants' call-quality timelines),
/// <c>/sdk/switchboard.js</c>, with the <see cref="SecurityHeaders"/> on every response of the server.
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
        app.MapGet("/test", () => Results.File(Path.Combine(AppContext.BaseDirectory, "wwwroot", "test.html"), "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        app.MapGet("/admin", () => Results.File(Path.Combine(AppContext.BaseDirectory, "wwwroot", "admin.html"), "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        app.MapGet("/quality", () => Results.File(Path.Combine(AppContext.BaseDirectory, "wwwroot", "quality.html"), "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        app.MapGet("/recordings", () => Results.File(Path.Combine(AppContext.BaseDirectory, "wwwroot", "recordings.html"), "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        app.MapGet("/room/{name}", () => Results.File(Path.Combine(AppContext.BaseDirectory, "wwwroot", "room.html"), "text/html; charset=utf-8"))
            .ExcludeFromDescription();
    }
}
