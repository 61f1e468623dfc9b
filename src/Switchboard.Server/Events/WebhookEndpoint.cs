using System.Net.Http.Headers;
using System.Threading.Channels;
using Switchboard.Signaling.Events;

namespace Switchboard.Server.Events;

/// <summary>What the API shows of a webhook receiver.</summary>
/// <param name="Failed">Events given up after every try.</param>
/// <param name="Dropped">Events given up because too many waited (Webhooks:QueueLimit).</param>
public sealed record WebhookStatus(string Url, long Delivered, long Failed, long Dropped, int Pending, int ConsecutiveFailures, string? LastError,
    DateTimeOffset? LastErrorAt);

/// <summary>
/// One receiver: its events wait in a bounded queue and are posted one at a time, in the order they happened, each
/// retried with backoff until it is taken (any 2xx) or its tries run out. Nothing here ever makes a call wait.
/// </summary>
internal sealed class WebhookEndpoint
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly Uri _url;
    private readonly WebhookOptions _options;
    private readonly string _secret;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Channel<RoomEvent> _queue;
    private long _delivered, _failed, _dropped;
    private int _consecutiveFailures;
    private Failure? _lastError;

    public WebhookEndpoint(Uri url, WebhookOptions options, string secret, HttpClient http, TimeProvider time, ILogger log)
    {
        (_url, _options, _secret, _http, _time, _log) = (url, options, secret, http, time, log);
        _queue = Channel.CreateBounded<RoomEvent>(new BoundedChannelOptions(options.QueueLimit) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    public void Enqueue(RoomEvent e) => _queue.Writer.TryWrite(e);

    public WebhookStatus Status
    {
        get
        {
            var last = Volatile.Read(ref _lastError);
            return new(_url.ToString(), Interlocked.Read(ref _delivered), Interlocked.Read(ref _failed), Interlocked.Read(ref _dropped), _queue.Reader.Count,
                Volatile.Read(ref _consecutiveFailures), last?.Error, last?.At);
        }
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (RoomEvent e in _queue.Reader.ReadAllAsync(stopping).ConfigureAwait(false)) await DeliverAsync(e, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverAsync(RoomEvent e, CancellationToken stopping)
    {
        byte[] body = RoomEventJson.Serialize(e);
        for (int attempt = 1; ; attempt++)
        {
            string? error = await PostAsync(e, body, stopping).ConfigureAwait(false);
            if (error is null)
            {
                Interlocked.Increment(ref _delivered);
                Volatile.Write(ref _consecutiveFailures, 0);
                return;
            }
            Interlocked.Increment(ref _consecutiveFailures);
            Volatile.Write(ref _lastError, new Failure(error, _time.GetUtcNow()));
            if (attempt >= _options.MaxAttempts)
            {
                Interlocked.Increment(ref _failed);
                _log.LogWarning("Webhook {Url} did not take event {Event} ({Type}) in {Attempts} tries: {Error}", _url, e.Id, e.Type, attempt, error);
                return;
            }
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(60, 1 << Math.Min(attempt - 1, 6))), _time, stopping).ConfigureAwait(false);
        }
    }

    /// <summary>One try; null when the receiver took the event, else what went wrong.</summary>
    private async Task<string?> PostAsync(RoomEvent e, byte[] body, CancellationToken stopping)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Create(_secret, _time.GetUtcNow(), body));
        request.Headers.Add("Switchboard-Event", e.Type);
        request.Headers.Add("Switchboard-Delivery", e.Id);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        try
        {
            using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return $"no answer within {_options.TimeoutSeconds} s (Webhooks:TimeoutSeconds)";
        }
        catch (HttpRequestException x)
        {
            return x.Message;
        }
    }

    private sealed record Failure(string Error, DateTimeOffset At);
}
