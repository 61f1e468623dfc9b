using System.Text.Json.Nodes;
using Switchboard.Protocols.Sdp;

namespace Switchboard.MediaLoad;

/// <summary>
/// What a synthetic publisher and subscriber share: the signaling connection (join, <c>media-offer</c> answered by
/// <c>media-answer</c>), the one bundled <see cref="PeerTransport"/>, and the server messages that arrive later.
/// </summary>
internal abstract class SfuParticipant(SfuRun run, string name) : IDisposable
{
    protected const string MidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";
    protected const string TransportCcUri = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    /// <summary>Extension ids of the offers (Chrome's numbers for these two).</summary>
    protected const int OfferedTransportCcId = 3, OfferedMidId = 4;

    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private SignalingConnection? _signaling;
    private int _offers;

    protected SfuRun Run { get; } = run;
    protected PeerTransport Transport { get; } = new();

    public string Name { get; } = name;
    public string? ParticipantId { get; private set; }

    /// <summary>SRTP/SRTCP packets that failed authentication or replay checks.</summary>
    public long Discarded => Interlocked.Read(ref Transport.Discarded);

    /// <summary>Opens <c>/ws</c>, joins the room anonymously and returns <c>joined</c>; the room must be in <c>sfu</c> mode.</summary>
    protected async Task<JsonObject> JoinAsync(CancellationToken cancel)
    {
        _signaling = await SignalingConnection.ConnectAsync(Run.Options.Url, cancel);
        _signaling.Send(new JsonObject { ["type"] = "join", ["room"] = Run.Options.Room, ["name"] = Name });
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
        _signaling!.Send(offer);
        while (true)
        {
            JsonObject message = await _signaling.ReadUntilAsync(["media-answer", "error"], OnMessage, cancel);
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

    /// <summary>Reads <c>tracks</c> messages (answering anything else with <see cref="OnMessage"/>) until <paramref name="done"/> holds.</summary>
    protected async Task<JsonArray> WaitForTracksAsync(JsonArray? tracks, Func<JsonArray, bool> done, CancellationToken cancel)
    {
        tracks ??= [];
        while (!done(tracks))
        {
            JsonObject message = await _signaling!.ReadUntilAsync(["tracks"], OnMessage, cancel);
            tracks = message["tracks"] as JsonArray ?? [];
        }
        return tracks;
    }

    /// <summary>Handles what the server sends after negotiation, until <see cref="Dispose"/>.</summary>
    protected void KeepReading()
    {
        CancellationToken stop = _stop.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                while (true) OnMessage(await _signaling!.ReadAsync(stop));
            }
            catch (OperationCanceledException)
            {
            }
            catch (InvalidOperationException e) when (!stop.IsCancellationRequested)
            {
                Run.Problem($"{Name}: {e.Message}");
            }
        }, CancellationToken.None);
    }

    /// <summary>A server message outside the exchanges above: errors are reported, <c>tracks</c> goes to <see cref="OnTracks"/>.</summary>
    protected virtual void OnMessage(JsonObject message)
    {
        switch (SignalingConnection.Type(message))
        {
            case "error":
                Run.ServerError(Name, message["code"]?.GetValue<string>() ?? "(no code)", message["message"]?.GetValue<string>());
                break;
            case "tracks" when message["tracks"] is JsonArray tracks:
                OnTracks(tracks);
                break;
        }
    }

    protected virtual void OnTracks(JsonArray tracks)
    {
    }

    /// <summary>The id the answer gives an extension in a section, or 0 when it was not accepted.</summary>
    protected static int ExtensionId(MediaDescription section, string uri) => section.Extmaps.FirstOrDefault(e => e.Uri == uri)?.Id ?? 0;

    /// <summary>Lines of an offer's session part.</summary>
    protected static IEnumerable<string> SessionLines(IEnumerable<string> mids) =>
    [
        "v=0", $"o=- {Random.Shared.NextInt64(1, long.MaxValue)} 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
        $"a=group:BUNDLE {string.Join(' ', mids)}", "a=extmap-allow-mixed", "a=msid-semantic: WMS *",
    ];

    /// <summary>The lines every media section of the offers starts with, after the m= line.</summary>
    protected IEnumerable<string> SectionStart(string mid) =>
    [
        "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0", .. Transport.OfferTransportLines(), $"a=mid:{mid}",
        $"a=extmap:{OfferedTransportCcId} {TransportCcUri}", $"a=extmap:{OfferedMidId} {MidUri}",
    ];

    /// <summary>Opus and VP8 with RTX, as the publishers offer and the subscribers accept them.</summary>
    protected static readonly string[] AudioCodecLines = ["a=rtpmap:111 opus/48000/2", "a=rtcp-fb:111 transport-cc", "a=fmtp:111 minptime=10;useinbandfec=1"];

    protected static readonly string[] VideoCodecLines =
    [
        "a=rtcp-rsize", "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 goog-remb", "a=rtcp-fb:96 transport-cc", "a=rtcp-fb:96 ccm fir",
        "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
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
