using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Switchboard.Signaling.Tests;

/// <summary>A raw WebSocket client of the protocol: sends JSON or bytes, reads messages one by one.</summary>
public sealed class TestClient : IAsyncDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);
    private readonly ClientWebSocket _socket = new();

    public JsonElement Joined { get; set; }

    public string Id => Joined.GetProperty("participant").GetProperty("id").GetString()!;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>Connects; with <paramref name="from"/>, from that local address (any of 127.0.0.0/8 on loopback).</summary>
    public static async Task<TestClient> ConnectAsync(Uri endpoint, IPAddress? from = null)
    {
        var client = new TestClient();
        if (from is null)
        {
            await client._socket.ConnectAsync(endpoint, CancellationToken.None);
            return client;
        }
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancel) =>
            {
                var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(from, 0));
                await tcp.ConnectAsync(context.DnsEndPoint, cancel);
                return new NetworkStream(tcp, ownsSocket: true);
            },
        };
        using var invoker = new HttpMessageInvoker(handler);
        await client._socket.ConnectAsync(endpoint, invoker, CancellationToken.None);
        return client;
    }

    public Task SendAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message, JsonSerializerOptions.Web));

    public Task SendTextAsync(string text) => SendBytesAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendBytesAsync(byte[] bytes, WebSocketMessageType type = WebSocketMessageType.Text) =>
        await _socket.SendAsync(bytes, type, true, CancellationToken.None);

    /// <summary>A part of a text message that does not end it (a frame without FIN).</summary>
    public async Task SendFragmentAsync(byte[] bytes) => await _socket.SendAsync(bytes, WebSocketMessageType.Text, false, CancellationToken.None);

    /// <summary>
    /// Reads, answering nothing, until the server closes the socket or drops it; throws if it has done neither within
    /// <paramref name="wait"/>.
    /// </summary>
    public async Task WaitEndedAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        var buffer = new byte[64 * 1024];
        try
        {
            while ((await _socket.ReceiveAsync(buffer.AsMemory(), timeout.Token)).MessageType != WebSocketMessageType.Close) { }
        }
        catch (WebSocketException)
        {
            // dropped without a close handshake
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"the server kept the connection open for {wait.TotalSeconds} s");
        }
    }

    /// <summary>The next message, skipping pings (answered); null when the server closed the socket.</summary>
    public async Task<JsonElement?> ReceiveAsync(TimeSpan? wait = null)
    {
        using var timeout = new CancellationTokenSource(wait is { } w ? TimeSpan.FromTicks(Math.Max(w.Ticks, TimeSpan.TicksPerMillisecond)) : WaitLimit);
        var buffer = new byte[256 * 1024];
        while (true)
        {
            int length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                length += result.Count;
            } while (!result.EndOfMessage);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            var message = JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
            if (message.GetProperty("type").GetString() == "ping")
            {
                await SendAsync(new { type = "pong" });
                continue;
            }
            return message;
        }
    }

    /// <summary>Reads until a message of <paramref name="type"/> arrives (others before it are skipped).</summary>
    public async Task<JsonElement> ExpectAsync(string type)
    {
        var seen = new List<string>();
        var deadline = DateTime.UtcNow + WaitLimit;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new Xunit.Sdk.XunitException($"no {type} within {WaitLimit.TotalSeconds} s; saw {string.Join(", ", seen.TakeLast(5))}");
            var message = await ReceiveAsync(left) ?? throw new Xunit.Sdk.XunitException($"closed ({_socket.CloseStatus}) while waiting for {type}; saw {string.Join(", ", seen)}");
            if (message.GetProperty("type").GetString() == type) return message;
            seen.Add(message.GetRawText());
        }
    }

    /// <summary>The next message must be an error with <paramref name="code"/>.</summary>
    public async Task<JsonElement> ExpectErrorAsync(string code, bool fatal = false)
    {
        var error = await ExpectAsync("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(fatal, error.GetProperty("fatal").GetBoolean());
        return error;
    }

    /// <summary>The server closes the socket with <paramref name="status"/> (after any messages still on their way).</summary>
    public async Task ExpectClosedAsync(int status)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (await ReceiveAsync(deadline - DateTime.UtcNow) is not null) { }
        Assert.Equal(status, (int?)_socket.CloseStatus);
    }

    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        await Task.CompletedTask;
    }
}
