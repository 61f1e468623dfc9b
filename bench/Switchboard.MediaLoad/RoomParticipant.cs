using System.Text.Json.Nodes;
using Switchboard.Protocols.Sdp;

namespace Switchboard.MediaLoad;

/// <summary>
/// One synthetic browser in a room, whatever it sends: the signaling connection (join, <c>media-offer</c> answered by
/// <c>media-answer</c>), the one bundled <see cref="PeerTransport"/>, and the server messages that arrive later.
/// </summary>
internal abstract class RoomParticipant(RoomRun run, string name) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private SignalingConnection? _signaling;
    private int _offers;

    protected PeerTransport Transport { get; } = new();

    /// <summary>The signaling connection, once <see cref="JoinAsync"/> opened it.</summary>
    protected SignalingConnection Signaling => _signaling ?? throw new InvalidOperationException("not joined");

    public string Name { get; } = name;
    public string? ParticipantId { get; private set; }

    /// <summary>Opens <c>/ws</c>, joins the room anonymously and returns <c>joined</c>; the room must be in <c>sfu</c> mode.</summary>
    protected async Task<JsonObject> JoinAsync(CancellationToken cancel)
    {
        _signaling = await SignalingConnection.ConnectAsync(run.Url, cancel);
        _signaling.Send(new JsonObject { ["type"] = "join", ["room"] = run.Room, ["name"] = Name });
        JsonObject joined = await _signaling.ReadUntilAsync(["joined", "error"], OnMessage, cancel);
        if (SignalingConnection.Type(joined) == "error") throw new InvalidOperationException($"join refused: {joined.ToJsonString()}");
        string? media = joined["media"]?.GetValue<string>();
        if (media != "sfu") throw new InvalidOperationException($"joined says media {media ?? "(absent)"}, expected sfu");
        ParticipantId = joined["participant"]?["id"]?.GetValue<string>() ?? throw new InvalidOperationException("joined has no participant.id");
        return joined;
    }

    /// <summary>Sends <c>media-offer</c> and returns the SDP of <c>media-answer</c>; an <c>error</c> naming the offer throws.</summary>
    protected async Task<SessionDescription> NegotiateAsync(string sdp, JsonArray? publish, JsonArray? subscribe, CancellationToken cancel)
    {
        string id = $"offer-{++_offers}";
        var offer = new JsonObject { ["type"] = "media-offer", ["id"] = id, ["sdp"] = sdp };
        if (publish is not null) offer["publish"] = publish;
        if (subscribe is not null) offer["subscribe"] = subscribe;
        Signaling.Send(offer);
        while (true)
        {
            JsonObject message = await Signaling.ReadUntilAsync(["media-answer", "error"], OnMessage, cancel);
            if (SignalingConnection.Type(message) == "media-answer")
            {
                string answer = message["sdp"]?.GetValue<string>() ?? throw new InvalidOperationException("media-answer without sdp");
                try { return SessionDescription.Parse(answer); }
                catch (SdpParseException e) { throw new InvalidOperationException($"media-answer SDP does not parse ({e.Message}): {answer}"); }
            }
            if (message["requestId"]?.GetValue<string>() == id || message["fatal"]?.GetValue<bool>() == true)
                throw new InvalidOperationException($"media-offer refused: {message.ToJsonString()}");
            OnMessage(message);
        }
    }

    /// <summary>Handles what the server sends after negotiation, until <see cref="Dispose"/>.</summary>
    protected void KeepReading()
    {
        CancellationToken stop = _stop.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                while (true) OnMessage(await Signaling.ReadAsync(stop));
            }
            catch (OperationCanceledException)
            {
            }
            catch (InvalidOperationException e) when (!stop.IsCancellationRequested)
            {
                run.Problem($"{Name}: {e.Message}");
            }
        }, CancellationToken.None);
    }

    /// <summary>A server message outside the exchanges above: errors are counted and reported.</summary>
    protected virtual void OnMessage(JsonObject message)
    {
        if (SignalingConnection.Type(message) == "error")
            run.ServerError(Name, message["code"]?.GetValue<string>() ?? "(no code)", message["message"]?.GetValue<string>());
    }

    /// <summary>Lines of an offer's session part.</summary>
    protected static IEnumerable<string> SessionLines(IEnumerable<string> mids) =>
    [
        "v=0", $"o=- {Random.Shared.NextInt64(1, long.MaxValue)} 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
        $"a=group:BUNDLE {string.Join(' ', mids)}", "a=extmap-allow-mixed", "a=msid-semantic: WMS *",
    ];

    public virtual void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _signaling?.Dispose();
        Transport.Dispose();
        _stop.Dispose();
    }
}
