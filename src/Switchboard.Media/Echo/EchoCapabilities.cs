using Switchboard.Protocols.Sdp;

namespace Switchboard.Media.Echo;

/// <summary>
/// What the echo accepts. It returns each packet to the browser that sent it, so any codec the browser can both send
/// and decode works; the list names the WebRTC ones (RFC 7874, RFC 7742) and the feedback the echo forwards.
/// </summary>
internal static class EchoCapabilities
{
    private static readonly RtcpFeedbackType[] VideoFeedback =
        [new(-1, "nack", null), new(-1, "nack", "pli"), new(-1, "ccm", "fir"), new(-1, "transport-cc", null)];

    public static readonly IReadOnlyList<CodecCapability> Audio = [new("opus", 48000, 2, Feedback: [new(-1, "transport-cc", null)])];

    public static readonly IReadOnlyList<CodecCapability> Video =
    [
        new("VP8", 90000, Feedback: VideoFeedback),
        new("VP9", 90000, Parameters: new Dictionary<string, string> { ["profile-id"] = "0" }, Feedback: VideoFeedback),
        new("VP9", 90000, Parameters: new Dictionary<string, string> { ["profile-id"] = "2" }, Feedback: VideoFeedback),
        new("H264", 90000, Parameters: new Dictionary<string, string> { ["profile-level-id"] = "42e01f", ["packetization-mode"] = "1" }, Feedback: VideoFeedback),
        new("H264", 90000, Parameters: new Dictionary<string, string> { ["profile-level-id"] = "42001f", ["packetization-mode"] = "1" }, Feedback: VideoFeedback),
        new("H264", 90000, Parameters: new Dictionary<string, string> { ["profile-level-id"] = "640032", ["packetization-mode"] = "1" }, Feedback: VideoFeedback),
        new("AV1", 90000, Feedback: VideoFeedback),
    ];

    public const string MidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";

    /// <summary>Transport-wide sequence numbers: the echo reports their arrival times so the browser can estimate bandwidth.</summary>
    public const string TransportWideCcUri = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

    /// <summary>Header extensions passed through unchanged (the receiver is the sender, with the same ids).</summary>
    public static readonly IReadOnlyCollection<string> Extensions =
    [
        MidUri,
        TransportWideCcUri,
        "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
        "urn:3gpp:video-orientation",
        "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension",
    ];
}
