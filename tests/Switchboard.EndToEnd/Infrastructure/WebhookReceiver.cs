using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>
/// A webhook receiver on 127.0.0.1 (HttpListener): it keeps every event it takes (answered 204) in order, and can be
/// told to fail the next requests (500) or to hang (hold them unanswered) as a broken receiver would.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Lock _gate = new();
    private readonly List<Delivery> _taken = [];
    private readonly Task _listening;
    private TaskCompletionSource _hanging = CompletedHang();
    private int _failNext, _requests;

    public WebhookReceiver()
    {
        int port = FreePorts.TcpAndUdp();
        Url = new Uri($"http://127.0.0.1:{port}/hook/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _listening = ListenAsync();
    }

    /// <summary>One event taken: its JSON, the body as sent and its headers.</summary>
    public sealed record Delivery(JsonElement Event, byte[] Body, string Signature, string EventType, string DeliveryId);

    public Uri Url { get; }

    /// <summary>Requests received, answered or not.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The next <paramref name="count"/> requests get 500.</summary>
    public void FailNext(int count) => Volatile.Write(ref _failNext, count);

    /// <summary>While true, requests are held without an answer; false answers them (they are taken).</summary>
    public bool Hang
    {
        set
        {
            lock (_gate)
            {
                if (value && _hanging.Task.IsCompleted) _hanging = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                else if (!value) _hanging.TrySetResult();
            }
        }
    }

    public IReadOnlyList<Delivery> Taken
    {
        get { lock (_gate) return [.. _taken]; }
    }

    /// <summary>Waits until the events taken satisfy <paramref name="done"/>; throws with what came when they do not within <paramref name="limit"/>.</summary>
    /// <param name="context">More to say when they do not (the server's log).</param>
    public async Task<IReadOnlyList<Delivery>> WaitForAsync(Func<IReadOnlyList<Delivery>, bool> done, TimeSpan limit, string what, Func<string>? context = null)
    {
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); ; await Task.Delay(100))
        {
            var taken = Taken;
            if (done(taken)) return taken;
            if (waited.Elapsed > limit)
                throw new Xunit.Sdk.XunitException($"{what}: not within {limit.TotalSeconds} s; {Requests} requests, taken: {string.Join(", ", taken.Select(d => d.EventType))}\n{context?.Invoke()}");
        }
    }

    /// <summary>The check docs/events.md shows a receiver: HMAC-SHA256 of "t.body" with the API secret, and a recent t.</summary>
    public static bool SignatureIsValid(string secret, Delivery delivery, TimeSpan tolerance)
    {
        var parts = delivery.Signature.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("t", out string? time) || !parts.TryGetValue("v1", out string? mac)) return false;
        if (Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(time, CultureInfo.InvariantCulture)) > tolerance.TotalSeconds) return false;
        byte[] signed = [.. Encoding.ASCII.GetBytes(time + "."), .. delivery.Body];
        byte[] expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(expected)), Encoding.ASCII.GetBytes(mac));
    }

    private async Task ListenAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            _ = AnswerAsync(context);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        Interlocked.Increment(ref _requests);
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        Task hang;
        lock (_gate) hang = _hanging.Task;
        await hang;
        try
        {
            if (Interlocked.Decrement(ref _failNext) >= 0)
            {
                context.Response.StatusCode = 500;
            }
            else
            {
                Interlocked.Exchange(ref _failNext, 0);
                var delivery = new Delivery(JsonDocument.Parse(body.ToArray()).RootElement.Clone(), body.ToArray(),
                    context.Request.Headers["Switchboard-Signature"] ?? "", context.Request.Headers["Switchboard-Event"] ?? "",
                    context.Request.Headers["Switchboard-Delivery"] ?? "");
                lock (_gate) _taken.Add(delivery);
                context.Response.StatusCode = 204;
            }
            context.Response.Close();
        }
        catch (HttpListenerException)
        {
            // The server gave up on this request (its time-out) and closed the connection.
        }
    }

    private static TaskCompletionSource CompletedHang()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    public async ValueTask DisposeAsync()
    {
        Hang = false;
        _listener.Stop();
        _listener.Close();
        await _listening;
    }
}
