using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Switchboard.Bench;

namespace Switchboard.MediaLoad;

/// <summary>
/// One participant's native signaling WebSocket (<c>/ws</c>, docs/signaling.md): sends JSON messages, answers the
/// server's <c>ping</c> with <c>pong</c> by itself and queues every other message it receives for <see cref="ReadAsync"/>.
/// </summary>
internal sealed class SignalingConnection : IDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<string> _outbox = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<JsonObject> _inbox = Channel.CreateUnbounded<JsonObject>(new UnboundedChannelOptions { SingleWriter = true });
    private volatile bool _closing;

    /// <summary>Why the connection ended, when it ended without <see cref="Dispose"/>.</summary>
    public string? ClosedBecause { get; private set; }

    public static async Task<SignalingConnection> ConnectAsync(Uri server, CancellationToken cancel)
    {
        var connection = new SignalingConnection();
        connection._socket.Options.KeepAliveInterval = TimeSpan.Zero; // the protocol's own ping/pong keeps it alive
        var builder = new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws", Path = server.AbsolutePath.TrimEnd('/') + "/ws" };
        await connection._socket.ConnectAsync(builder.Uri, cancel);
        _ = Task.Run(connection.SendLoopAsync, CancellationToken.None);
        _ = Task.Run(connection.ReceiveLoopAsync, CancellationToken.None);
        return connection;
    }

    public void Send(JsonObject message) => _outbox.Writer.TryWrite(message.ToJsonString());

    /// <summary>The next message (never <c>ping</c>); throws when the connection has ended or on <paramref name="cancel"/>.</summary>
    public async Task<JsonObject> ReadAsync(CancellationToken cancel)
    {
        try { return await _inbox.Reader.ReadAsync(cancel); }
        catch (ChannelClosedException) { throw new InvalidOperationException("signaling connection closed: " + ClosedBecause); }
    }

    /// <summary>Reads until a message of one of <paramref name="types"/> arrives; <paramref name="other"/> sees the ones passed over.</summary>
    public async Task<JsonObject> ReadUntilAsync(string[] types, Action<JsonObject> other, CancellationToken cancel)
    {
        while (true)
        {
            JsonObject message = await ReadAsync(cancel);
            if (types.Contains(Type(message))) return message;
            other(message);
        }
    }

    public static string Type(JsonObject message) => message["type"]?.GetValue<string>() ?? "";

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (string message in _outbox.Reader.ReadAllAsync())
                await _socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                (buffer, int length, WebSocketMessageType type) = await WebSocketMessage.ReceiveAsync(_socket, buffer);
                if (type == WebSocketMessageType.Close)
                {
                    ClosedBecause = $"closed by the server ({(int?)_socket.CloseStatus} {_socket.CloseStatusDescription})";
                    break;
                }
                if (JsonNode.Parse(buffer.AsSpan(0, length)) is not JsonObject message) continue;
                if (Type(message) == "ping") Send(new JsonObject { ["type"] = "pong" });
                else _inbox.Writer.TryWrite(message);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException or System.Text.Json.JsonException)
        {
            ClosedBecause ??= _closing ? "closed" : e.GetType().Name + ": " + e.Message;
        }
        _inbox.Writer.TryComplete();
    }

    public void Dispose()
    {
        _closing = true;
        _outbox.Writer.TryComplete();
        _socket.Abort();
        _socket.Dispose();
    }
}
