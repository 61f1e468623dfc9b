using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Media.Contracts;
using Switchboard.Signaling.Connections;
using Switchboard.Signaling.Events;
using Switchboard.Signaling.Ice;
using Switchboard.Signaling.Quality;
using Switchboard.Signaling.Rooms;

namespace Switchboard.Signaling;

/// <summary>Wires the signaling server into a host: <c>services.AddSignaling()</c> and <c>app.MapSignaling("/ws")</c>.</summary>
public static class SignalingEndpoints
{
    public static IServiceCollection AddSignaling(this IServiceCollection services)
    {
        services.AddOptions<SignalingOptions>().BindConfiguration(SignalingOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SignalingOptions>, SignalingOptionsValidator>();
        services.AddSingleton<IValidateOptions<SignalingOptions>, QualityOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IIceServerSource, NoIceServers>();
        services.TryAddSingleton<IRoomStore, InMemoryRoomStore>();
        services.TryAddSingleton<IRoomMedia, NoRoomMedia>();
        services.TryAddSingleton<IRoomData, NoRoomMedia>();
        services.TryAddSingleton<IRoomRecording, NoRoomMedia>();
        services.AddMetrics();
        services.TryAddSingleton<SignalingMetrics>();
        services.TryAddSingleton<RoomEventFeed>();
        services.TryAddSingleton<CallQualityLog>();
        services.TryAddSingleton<SignalingHub>();
        services.TryAddSingleton<IRoomAdministration>(sp => sp.GetRequiredService<SignalingHub>());
        services.AddHostedService<SignalingService>();
        return services;
    }

    public static IEndpointConventionBuilder MapSignaling(this IEndpointRouteBuilder endpoints, string pattern)
    {
        return endpoints.Map(pattern, async (HttpContext context, SignalingHub hub, IOptions<SignalingOptions> options,
            TimeProvider time, IHostApplicationLifetime lifetime, ILogger<SignalingHub> log) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
                return Results.Problem(statusCode: StatusCodes.Status426UpgradeRequired, title: "WebSocket required",
                    detail: "This is the signaling endpoint: open it as a WebSocket (docs/signaling.md).");
            var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.Zero });
            var settings = options.Value;
            using var connection = new SignalingConnection(socket, context.Request.Host.Host, ConnectionSource.Of(context.Connection.RemoteIpAddress), time)
            {
                RateLimiter = new MessageRateLimiter(settings.MessagesPerSecond, settings.MessageBurst, time),
            };
            hub.TryAccept(connection);
            try
            {
                await connection.RunAsync(settings.MaxMessageBytes, hub.HandleAsync, log, lifetime.ApplicationStopped);
            }
            finally
            {
                await hub.OnClosedAsync(connection);
            }
            return Results.Empty;
        });
    }
}
