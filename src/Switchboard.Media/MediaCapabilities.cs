using Switchboard.Protocols.Sdp;

namespace Switchboard.Media;

/// <summary>
/// The codecs (RFC 7874, RFC 7742), RTCP feedback and header extensions the media server understands. It never decodes
/// media, so any codec both ends support works; the list names the WebRTC ones.
/// </summary>
public static class MediaCapabilities
{
    private static readonly RtcpFeedbackType[] VideoFeedback =
        [new(-1, "nack", null), new(-1, "nack", "pli"), new(-1, "ccm", "fir"), new(-1, "transport-cc", null), new(-1, "goog-remb", null)];

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
    public const string RidUri = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    public const string RepairedRidUri = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
    public const string AudioLevelUri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    public const string AbsSendTimeUri = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    public const string VideoOrientationUri = "urn:3gpp:video-orientation";
    public const string DependencyDescriptorUri = "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension";

    /// <summary>Transport-wide sequence numbers: the receiver reports their arrival times so the sender can estimate bandwidth.</summary>
    public const string TransportWideCcUri = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
}
