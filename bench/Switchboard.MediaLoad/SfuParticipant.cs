using System.Text.Json.Nodes;
using Switchboard.Protocols.Sdp;

namespace Switchboard.MediaLoad;

/// <summary>
/// What a synthetic publisher and subscriber share beyond <see cref="RoomParticipant"/>: the room's <c>tracks</c>, the
/// media sections' lines (extensions, Opus, VP8 with RTX) and the SRTP packets the transport discarded.
/// </summary>
internal abstract class SfuParticipant(SfuRun run, string name) : RoomParticipant(run, name)
{
    protected const string MidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";
    protected const string TransportCcUri = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    /// <summary>Extension ids of the offers (Chrome's numbers for these two).</summary>
    protected const int OfferedTransportCcId = 3, OfferedMidId = 4;

    protected SfuRun Run { get; } = run;

    /// <summary>SRTP/SRTCP packets that failed authentication or replay checks.</summary>
    public long Discarded => Interlocked.Read(ref Transport.Discarded);

    /// <summary>Reads <c>tracks</c> messages (answering anything else with <see cref="OnMessage"/>) until <paramref name="done"/> holds.</summary>
    protected async Task<JsonArray> WaitForTracksAsync(JsonArray? tracks, Func<JsonArray, bool> done, CancellationToken cancel)
    {
        tracks ??= [];
        while (!done(tracks))
        {
            JsonObject message = await Signaling.ReadUntilAsync(["tracks"], OnMessage, cancel);
            tracks = message["tracks"] as JsonArray ?? [];
        }
        return tracks;
    }

    /// <summary>Errors as <see cref="RoomParticipant"/> reports them; <c>tracks</c> goes to <see cref="OnTracks"/>.</summary>
    protected override void OnMessage(JsonObject message)
    {
        if (SignalingConnection.Type(message) == "tracks" && message["tracks"] is JsonArray tracks) OnTracks(tracks);
        else base.OnMessage(message);
    }

    protected virtual void OnTracks(JsonArray tracks)
    {
    }

    /// <summary>The id the answer gives an extension in a section, or 0 when it was not accepted.</summary>
    protected static int ExtensionId(MediaDescription section, string uri) => section.Extmaps.FirstOrDefault(e => e.Uri == uri)?.Id ?? 0;

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
}
