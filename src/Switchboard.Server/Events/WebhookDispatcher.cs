using Microsoft.Extensions.Options;
using Switchboard.Signaling;
using Switchboard.Signaling.Events;

namespace Switchboard.Server.Events;

/// <summary>Hands every room event to each configured webhook receiver (<see cref="WebhookEndpoint"/>), for as long as the server runs.</summary>
public sealed class WebhookDispatcher : BackgroundService
{
    private readonly RoomEventFeed _feed;
    private readonly IReadOnlyList<WebhookEndpoint> _endpoints;
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false });

    public WebhookDispatcher(RoomEventFeed feed, IOptions<WebhookOptions> options, IOptions<SignalingOptions> signaling, TimeProvider time, ILogger<WebhookDispatcher> log)
    {
        _feed = feed;
        WebhookOptions settings = options.Value;
        string secret = signaling.Value.ApiKeys.FirstOrDefault()?.Secret ?? "";
        _endpoints = [.. settings.Urls.Select(url => new WebhookEndpoint(new Uri(url), settings, secret, _http, time, log))];
    }

    public IReadOnlyList<WebhookStatus> Status() => [.. _endpoints.Select(e => e.Status)];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_endpoints.Count == 0) return;
        Action<RoomEvent> enqueue = e =>
        {
            foreach (WebhookEndpoint endpoint in _endpoints) endpoint.Enqueue(e);
        };
        _feed.Subscribe(enqueue);
        try
        {
            await Task.WhenAll(_endpoints.Select(e => e.RunAsync(stoppingToken))).ConfigureAwait(false);
        }
        finally
        {
            _feed.Unsubscribe(enqueue);
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }
}
