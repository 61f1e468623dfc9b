using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>A raw client of the signaling protocol (docs/signaling.md) on a server's /ws: JSON out, one message at a time in.</summary>
public sealed class SignalingSocket : IAsyncDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);
    private readonly ClientWebSocket _socket = new();
    private readonly byte[] _buffer = new byte[512 * 1024];
    private readonly SemaphoreSlim _sending = new(1, 1);

    private SignalingSocket()
    {
    }

    /// <summary>The resume token of the <c>joined</c> or <c>resumed</c> answer this client read.</summary>
    public string ResumeToken { get; private set; } = "";

    /// <summary>The <c>seq</c> of the last message read that had one.</summary>
    public long LastSeq { get; private set; }

    /// <summary>Connects to /ws without sending anything.</summary>
    public static async Task<SignalingSocket> ConnectAsync(Uri server)
    {
        var client = new SignalingSocket();
        await client._socket.ConnectAsync(new Uri($"ws://{server.Authority}/ws"), CancellationToken.None);
        return client;
    }

    /// <summary>Connects and joins <paramref name="room"/> anonymously; the <c>joined</c> answer is read.</summary>
    public static async Task<SignalingSocket> JoinAsync(Uri server, string room) => await JoinAsync(server, room, token: null);

    /// <summary>Connects and joins <paramref name="room"/> with an access token (anonymously when null); the <c>joined</c> answer is read.</summary>
    public static async Task<SignalingSocket> JoinAsync(Uri server, string room, string? token)
    {
        var client = await ConnectAsync(server);
        await client.SendAsync(token is null ? new { type = "join", room } : (object)new { type = "join", room, token });
        client.ResumeToken = (await client.ExpectAsync("joined")).GetProperty("resumeToken").GetString()!;
        return client;
    }

    /// <summary>Connects and sends <c>resume</c>; returns the answer: <c>resumed</c> (then the missed messages follow) or an <c>error</c>.</summary>
    public static async Task<(SignalingSocket Socket, JsonElement Answer)> ResumeAsync(Uri server, string resumeToken, long lastSeq)
    {
        var client = await ConnectAsync(server);
        await client.SendAsync(new { type = "resume", resumeToken, lastSeq });
        var answer = await client.ReceiveAsync() ?? throw new Xunit.Sdk.XunitException("the connection ended before the answer to resume");
        if (answer.GetProperty("type").GetString() == "resumed") client.ResumeToken = answer.GetProperty("resumeToken").GetString()!;
        return (client, answer);
    }

    /// <summary>Sends one message; safe to call while another task reads (the pong to a ping is sent from the reading task).</summary>
    public async Task SendAsync(object message)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(message, JsonSerializerOptions.Web));
        await _sending.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The next message (pings answered and skipped); null once the server has closed or dropped the connection.</summary>
    public async Task<JsonElement?> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(WaitLimit);
        while (true)
        {
            int length = 0;
            ValueWebSocketReceiveResult result;
            try
            {
                do
                {
                    result = await _socket.ReceiveAsync(_buffer.AsMemory(length), timeout.Token);
                    length += result.Count;
                } while (!result.EndOfMessage);
            }
            catch (WebSocketException)
            {
                return null; // dropped without a close handshake
            }

            if (result.MessageType == WebSocketMessageType.Close) return null;
            var message = JsonDocument.Parse(_buffer.AsMemory(0, length)).RootElement.Clone();
            if (message.TryGetProperty("seq", out var seq)) LastSeq = seq.GetInt64();
            if (message.GetProperty("type").GetString() != "ping") return message;
            await SendAsync(new { type = "pong" });
        }
    }

    /// <summary>Reads until a message of <paramref name="type"/> arrives; throws if the connection ends first.</summary>
    public async Task<JsonElement> ExpectAsync(string type)
    {
        while (true)
        {
            var message = await ReceiveAsync() ?? throw new Xunit.Sdk.XunitException($"the connection ended ({_socket.CloseStatus}) while waiting for {type}");
            if (message.GetProperty("type").GetString() == type) return message;
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        _sending.Dispose();
        return ValueTask.CompletedTask;
    }
}
