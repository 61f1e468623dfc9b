using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Switchboard.Signaling;

/// <summary>Runs the hub's periodic sweep, and closes every connection when the host begins to stop.</summary>
public sealed class SignalingService(SignalingHub hub, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<SignalingService> log) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the web server stops: it waits for open requests, and every WebSocket is one.
        lifetime.ApplicationStopping.Register(hub.CloseAll);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(hub.SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try { await hub.SweepAsync(); }
                catch (Exception e) { log.LogError(e, "Signaling sweep failed"); }
            }
        }
        catch (OperationCanceledException) { }
    }
}
