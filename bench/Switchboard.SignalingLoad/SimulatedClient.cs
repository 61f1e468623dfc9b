using System.Diagnostics;
using System.Net.WebSockets;
using System.Threading.Channels;
using Switchboard.Bench;

namespace Switchboard.SignalingLoad;

/// <summary>
/// One WebSocket client in a room. Messages circulate in a closed loop: a client that receives one records its
/// latency and sends the next to the following member of its room, so the server sees a steady, self-paced load.
/// </summary>
public sealed class SimulatedClient(int index, int[] roomMembers, SignalingDialect dialect, LoadRun run) : IDisposable
{
    readonly ClientWebSocket _socket = new();
    readonly Channel<byte[]> _outbox = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    readonly List<string> _peers = [];
    readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _next;
    long _sent;

    public int Index => index;
    public int[] RoomMembers => roomMembers;
    public string? Id { get; private set; }

    /// <summary>Completes when this client has joined and knows every other member of its room.</summary>
    public Task Ready => _ready.Task;

    public async Task ConnectAsync(Uri server, string room)
    {
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await _socket.ConnectAsync(dialect.ConnectUrl(server, index), CancellationToken.None);
        _ = Task.Run(SendLoopAsync);
        _ = Task.Run(ReceiveLoopAsync);
        if (dialect.Hello(index, room) is { } hello) Send(System.Text.Encoding.UTF8.GetBytes(hello));
    }

    public void Send(byte[] message) => _outbox.Writer.TryWrite(message);

    public void Joined(string id, IEnumerable<string> others)
    {
        lock (_peers)
        {
            Id = id;
            foreach (var other in others) if (!_peers.Contains(other)) _peers.Add(other);
        }
        CheckReady();
    }

    public void PeerArrived(string id)
    {
        lock (_peers) if (!_peers.Contains(id)) _peers.Add(id);
        CheckReady();
    }

    void CheckReady()
    {
        lock (_peers) if (Id is not null && _peers.Count >= roomMembers.Length - 1) _ready.TrySetResult();
    }

    public void Failed(string code)
    {
        run.Error(code);
        _ready.TrySetException(new InvalidOperationException($"client {index}: {code}"));
    }

    /// <summary>A relayed message arrived: count it, then pass the token on.</summary>
    public void Received(long? timestamp)
    {
        if (timestamp is { } sent) run.Delivered(Stopwatch.GetElapsedTime(sent));
        SendNext();
    }

    /// <summary>Sends one offer- or candidate-sized message to the next member of the room.</summary>
    public void SendNext()
    {
        string to;
        lock (_peers)
        {
            if (_peers.Count == 0) return;
            to = _peers[_next++ % _peers.Count];
        }
        bool offer = _sent++ % 5 == 0;
        Send(dialect.Relay(to, offer, offer ? run.Options.OfferBytes : run.Options.CandidateBytes, Stopwatch.GetTimestamp()));
    }

    async Task SendLoopAsync()
    {
        try
        {
            await foreach (var message in _outbox.Reader.ReadAllAsync())
                await _socket.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            if (!run.Stopping) run.Error("send: " + e.GetType().Name);
        }
    }

    async Task ReceiveLoopAsync()
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                (buffer, int length, WebSocketMessageType type) = await WebSocketMessage.ReceiveAsync(_socket, buffer);
                if (type == WebSocketMessageType.Close) break;
                dialect.Read(buffer.AsSpan(0, length), this);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            if (!run.Stopping) run.Error("receive: " + e.GetType().Name);
        }
        _ready.TrySetException(new InvalidOperationException($"client {index} closed"));
    }

    /// <summary>Aborts the connection (no close handshake) and ends both loops.</summary>
    public void Dispose()
    {
        _outbox.Writer.TryComplete();
        _socket.Abort();
        _socket.Dispose();
    }
}
