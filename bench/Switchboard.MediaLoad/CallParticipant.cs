using System.Globalization;
using System.Text.Json.Nodes;
using Switchboard.Protocols.Sdp;

namespace Switchboard.MediaLoad;

/// <summary>
/// A participant of a call through the SFU, as the web app and its browser are: one signaling connection and one peer
/// connection (<see cref="CallPeer"/>) that publishes a microphone and a simulcast camera and receives every other
/// participant's tracks. When the room's <c>tracks</c> change it offers again (tracks that went leave their sections
/// free for the next ones, as transceivers do); it tells the server the size it renders each camera at
/// (<c>track-settings</c>), changing now and then as a layout would. <see cref="ReconnectAsync"/> makes a new peer
/// connection (a new certificate, ICE credentials and SSRCs: a page that rebuilt its RTCPeerConnection) on the same
/// signaling session; <see cref="RejoinAsync"/> leaves the room and joins it again.
/// </summary>
internal sealed class CallParticipant(CallRun run, int index) : IDisposable
{
    private static readonly (int Width, int Height)[] RenderSizes = [(320, 180), (640, 360), (1280, 720)];

    private readonly SemaphoreSlim _negotiating = new(1, 1);
    private readonly Lock _answerLock = new();
    private SignalingConnection? _signaling;
    private CancellationTokenSource _session = new();
    private TaskCompletionSource<JsonObject>? _answer;
    private volatile CallPeer? _peer;
    private JsonArray _tracks = [];
    private int _offers;
    private int _renegotiationQueued;

    public CallRun Run { get; } = run;
    public int Index { get; } = index;
    public string Name { get; } = string.Create(CultureInfo.InvariantCulture, $"caller-{index}");
    public string? ParticipantId { get; private set; }
    public CallPeer? Peer => _peer;
    public bool Connected => _peer?.Transport.IsConnected == true;

    private double LossPercent => Index == 0 ? Run.Options.LossPercent : 0;

    public async Task JoinAsync(CancellationToken cancel)
    {
        _session = new CancellationTokenSource();
        _signaling = await SignalingConnection.ConnectAsync(Run.Options.Url, cancel);
        _signaling.Send(new JsonObject { ["type"] = "join", ["room"] = Run.Options.Room, ["name"] = Name });
        JsonObject joined = await _signaling.ReadUntilAsync(["joined", "error"], _ => { }, cancel);
        if (SignalingConnection.Type(joined) == "error") throw new InvalidOperationException($"join refused: {joined.ToJsonString()}");
        if (joined["media"]?.GetValue<string>() != "sfu") throw new InvalidOperationException("the room is not in sfu mode");
        ParticipantId = joined["participant"]?["id"]?.GetValue<string>() ?? throw new InvalidOperationException("joined has no participant.id");
        _tracks = joined["tracks"] as JsonArray ?? [];
        _ = ReadAsync(_signaling, _session.Token);
        await NewPeerAsync(cancel);
    }

    /// <summary>A new peer connection on the same session: a new certificate, a full offer, and the old one closed once the new one is up.</summary>
    public async Task ReconnectAsync(CancellationToken cancel)
    {
        await NewPeerAsync(cancel);
        Interlocked.Increment(ref Run.Reconnects);
    }

    /// <summary>Leaves the room (the SFU drops its tracks and subscriptions) and joins it again as a new participant.</summary>
    public async Task RejoinAsync(CancellationToken cancel)
    {
        _session.Cancel(); // the server closes the connection after leave: not a problem to report
        _signaling?.Send(new JsonObject { ["type"] = "leave" });
        await Task.Delay(200, cancel);
        Close();
        await JoinAsync(cancel);
        Interlocked.Increment(ref Run.Rejoins);
    }

    private async Task NewPeerAsync(CancellationToken cancel)
    {
        await _negotiating.WaitAsync(cancel);
        try
        {
            var peer = new CallPeer(this, Index, LossPercent, Run.Options.LayerBitrates);
            try
            {
                SessionDescription answer = await NegotiateAsync(peer, cancel);
                CallPeer? old = _peer;
                await peer.ConnectAsync(answer, cancel);
                _peer = peer;
                old?.Dispose();
            }
            catch
            {
                peer.Dispose();
                throw;
            }
        }
        finally { _negotiating.Release(); }
    }

    /// <summary>Offers <paramref name="peer"/>'s sections for what it publishes and every other participant's tracks, and applies the answer.</summary>
    private async Task<SessionDescription> NegotiateAsync(CallPeer peer, CancellationToken cancel)
    {
        var wanted = Subscribable(_tracks).ToList();
        foreach (var (trackId, mid) in peer.Subscriptions.Where(s => wanted.All(w => w.TrackId != s.Key)).ToList())
        {
            peer.Subscriptions.Remove(trackId);
            peer.FreeMids.Add(mid);
        }
        foreach (var (trackId, video) in wanted)
        {
            if (peer.Subscriptions.ContainsKey(trackId)) continue;
            int free = peer.FreeMids.FindIndex(f => f.Video == video);
            string mid;
            if (free >= 0)
            {
                mid = peer.FreeMids[free].Mid;
                peer.FreeMids.RemoveAt(free);
            }
            else mid = (peer.NextMid++).ToString(CultureInfo.InvariantCulture);
            peer.Subscriptions[trackId] = (mid, video);
        }
        string id = string.Create(CultureInfo.InvariantCulture, $"offer-{++_offers}");
        var layers = new JsonArray([.. CallPeer.Layers.Select(l => (JsonNode)new JsonObject { ["rid"] = l.Rid, ["width"] = l.Width, ["height"] = l.Height })]);
        var offer = new JsonObject
        {
            ["type"] = "media-offer",
            ["id"] = id,
            ["sdp"] = peer.Offer(),
            ["publish"] = new JsonArray(new JsonObject { ["mid"] = "0", ["source"] = "microphone" }, new JsonObject { ["mid"] = "1", ["source"] = "camera", ["layers"] = layers }),
            ["subscribe"] = new JsonArray([.. peer.Subscriptions.Select(s => (JsonNode)new JsonObject { ["mid"] = s.Value.Mid, ["trackId"] = s.Key })]),
        };
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_answerLock) _answer = answer;
        _signaling!.Send(offer);
        Interlocked.Increment(ref Run.Offers);
        JsonObject message = await answer.Task.WaitAsync(TimeSpan.FromSeconds(20), cancel);
        if (SignalingConnection.Type(message) != "media-answer") throw new InvalidOperationException($"media-offer refused: {message.ToJsonString()}");
        SessionDescription sdp = SessionDescription.Parse(message["sdp"]!.GetValue<string>());
        peer.Apply(sdp);
        return sdp;
    }

    /// <summary>Other participants' microphones and cameras.</summary>
    private IEnumerable<(string TrackId, bool Video)> Subscribable(JsonArray tracks)
    {
        foreach (JsonNode? track in tracks)
        {
            string? id = track?["id"]?.GetValue<string>(), owner = track?["participantId"]?.GetValue<string>(), source = track?["source"]?.GetValue<string>();
            if (id is null || owner is null || owner == ParticipantId || source is not ("microphone" or "camera")) continue;
            yield return (id, source == "camera");
        }
    }

    private async Task ReadAsync(SignalingConnection signaling, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                JsonObject message = await signaling.ReadAsync(stop);
                switch (SignalingConnection.Type(message))
                {
                    case "media-answer":
                        lock (_answerLock) _answer?.TrySetResult(message);
                        break;
                    case "error":
                        Run.ServerError(Name, message["code"]?.GetValue<string>() ?? "(no code)", message["message"]?.GetValue<string>());
                        if (message["requestId"] is not null) lock (_answerLock) _answer?.TrySetResult(message);
                        break;
                    case "tracks" when message["tracks"] is JsonArray tracks:
                        _tracks = tracks;
                        QueueRenegotiation(stop);
                        break;
                    case "layers" when message["active"] is JsonArray active:
                        if (message["trackId"]?.GetValue<string>() == ParticipantId + "/camera")
                            _peer?.SetActiveLayers([.. active.Select(a => a?.GetValue<bool>() == true)]);
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (InvalidOperationException e) when (!stop.IsCancellationRequested)
        {
            Run.Problem($"{Name}: {e.Message}");
        }
    }

    /// <summary>The room's tracks changed: offer again once (changes that come while it negotiates are in the next offer).</summary>
    private void QueueRenegotiation(CancellationToken stop)
    {
        if (Interlocked.Exchange(ref _renegotiationQueued, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await _negotiating.WaitAsync(stop);
                try
                {
                    Volatile.Write(ref _renegotiationQueued, 0);
                    if (_peer is not { } peer) return;
                    var wanted = Subscribable(_tracks).Select(t => t.TrackId).ToHashSet();
                    if (wanted.SetEquals(peer.Subscriptions.Keys)) return;
                    await NegotiateAsync(peer, stop);
                    Interlocked.Increment(ref Run.Renegotiations);
                }
                finally { _negotiating.Release(); }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or SdpParseException)
            {
                Run.Problem($"{Name}: renegotiation failed: {e.Message}");
            }
        }, CancellationToken.None);
    }

    /// <summary>A new layout: each camera it receives at one of three sizes, now and then one turned off (a hidden tile).</summary>
    public void ChangeLayout()
    {
        if (_signaling is null || _peer is not { } peer) return;
        foreach (string trackId in peer.Subscriptions.Where(s => s.Value.Video).Select(s => s.Key).ToList())
        {
            var (width, height) = RenderSizes[Random.Shared.Next(RenderSizes.Length)];
            bool enabled = Random.Shared.Next(10) != 0;
            _signaling.Send(new JsonObject { ["type"] = "track-settings", ["trackId"] = trackId, ["width"] = width, ["height"] = height, ["enabled"] = enabled });
        }
        Interlocked.Increment(ref Run.LayoutChanges);
    }

    private void Close()
    {
        _session.Cancel();
        _signaling?.Dispose();
        _signaling = null;
        _peer?.Dispose();
        _peer = null;
        lock (_answerLock) _answer?.TrySetCanceled();
    }

    public void Dispose()
    {
        Close();
        _session.Dispose();
        _negotiating.Dispose();
    }
}
