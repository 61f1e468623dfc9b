using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Switchboard.Signaling;

/// <summary>Runs the hub's periodic sweep, and closes every connection when the host stops.</summary>
public sealed class SignalingService(SignalingHub hub, TimeProvider time, ILogger<SignalingService> log) : BackgroundService
{
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

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        hub.CloseAll();
        await base.StopAsync(cancellationToken);
    }
}
