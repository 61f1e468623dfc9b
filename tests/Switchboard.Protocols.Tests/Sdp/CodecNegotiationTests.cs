using Switchboard.Protocols.Sdp;

namespace Switchboard.Protocols.Tests.Sdp;

public class CodecNegotiationTests
{
    static readonly RtcpFeedbackType[] VideoFeedback = [new(-1, "nack", null), new(-1, "nack", "pli"), new(-1, "ccm", "fir"), new(-1, "transport-cc", null)];

    static MediaDescription Offer(int index) =>
        SessionDescription.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Sdp", "TestData", "chromium-156-offer.sdp"))).Media[index];

    static Dictionary<string, string> P(params (string, string)[] pairs) => pairs.ToDictionary(p => p.Item1, p => p.Item2);

    [Fact]
    public void Opus_is_chosen_with_its_parameters_and_transport_cc()
    {
        var chosen = CodecNegotiation.Negotiate(Offer(0), [new CodecCapability("opus", 48000, 2, Feedback: [new(-1, "transport-cc", null)])]);
        var opus = Assert.Single(chosen);
        Assert.Equal(111, opus.Codec.PayloadType);
        Assert.Equal("1", opus.Parameters!.Parameters["useinbandfec"]);
        Assert.Equal("transport-cc", Assert.Single(opus.Feedback).Type);
        Assert.Null(opus.RtxPayloadType);
    }

    [Fact]
    public void Video_codecs_match_on_profile_and_packetization_mode_and_keep_their_rtx()
    {
        var chosen = CodecNegotiation.Negotiate(Offer(1),
        [
            new CodecCapability("VP8", 90000, Feedback: VideoFeedback),
            new CodecCapability("H264", 90000, Parameters: P(("packetization-mode", "1"), ("profile-level-id", "42e01f")), Feedback: VideoFeedback),
            new CodecCapability("VP9", 90000, Parameters: P(("profile-id", "0")), Feedback: VideoFeedback),
            new CodecCapability("AV1", 90000, Feedback: VideoFeedback),
        ]);
        // VP8 96 (rtx 97); H.264 constrained baseline with packetization-mode 1 only: 108 (rtx 109), not 42001f
        // baseline (102), not mode 0 (114), not main (116); VP9 profile 0 (98, rtx 99) and not profile 2 (100); AV1 45 (rtx 46).
        Assert.Equal([(96, 97), (108, 109), (45, 46), (98, 99)], chosen.Select(c => (c.Codec.PayloadType, c.RtxPayloadType ?? -1)));
        Assert.Equal(["transport-cc", "ccm", "nack", "nack"], chosen[0].Feedback.Select(f => f.Type)); // in the offer's order
        Assert.DoesNotContain(chosen[0].Feedback, f => f.Type == "goog-remb"); // offered, not supported
    }

    [Fact]
    public void Nothing_in_common_chooses_nothing_and_extensions_keep_the_offerers_ids()
    {
        Assert.Empty(CodecNegotiation.Negotiate(Offer(1), [new CodecCapability("H265", 90000)]));
        var extensions = CodecNegotiation.NegotiateExtensions(Offer(1),
            ["urn:ietf:params:rtp-hdrext:sdes:mid", "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", "urn:unknown"]);
        Assert.Equal([(3, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"), (4, "urn:ietf:params:rtp-hdrext:sdes:mid")],
            extensions.Select(e => (e.Id, e.Uri)).Order());
    }
}
