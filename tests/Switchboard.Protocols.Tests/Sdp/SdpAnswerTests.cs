using Switchboard.Protocols.Sdp;

namespace Switchboard.Protocols.Tests.Sdp;

static class Offers
{
    public const string Chromium = "chromium-156-offer.sdp";
    public const string ChromiumNoSimulcast = "chromium-156-offer-no-simulcast.sdp";
    public const string Firefox = "firefox-esr-style-offer.sdp";

    public static string Load(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Sdp", "TestData", name));

    /// <summary>The offer without every line that starts with <paramref name="prefix"/>.</summary>
    public static string Without(string sdp, string prefix) =>
        string.Concat(sdp.Split("\r\n").Where(l => l.Length > 0 && !l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l + "\r\n"));

    public static WebRtcOffer? Read(string sdp, out string? problem) => WebRtcOffer.TryRead(SessionDescription.Parse(sdp), out problem);
}

public class WebRtcOfferTests
{
    [Fact]
    public void Chromium_offer_gives_its_ice_credentials_fingerprint_and_setup()
    {
        var offer = Offers.Read(Offers.Load(Offers.Chromium), out var problem);

        Assert.Null(problem);
        Assert.NotNull(offer);
        Assert.Equal(("d60f", "2tpd6lc2xrw2o7CRlmnP3OaO"), (offer.IceUfrag, offer.IcePassword));
        Assert.Equal(new Fingerprint("sha-256",
            "64:35:0E:50:8B:C8:EA:4D:C2:B6:40:1D:26:28:65:2D:35:E4:52:40:B0:CA:F5:61:71:64:78:21:8E:6A:B7:14"), offer.Fingerprint);
        Assert.Equal("actpass", offer.Setup);
        Assert.Equal("passive", offer.AnswerSetup);
    }

    [Fact]
    public void Firefox_offer_gives_media_level_credentials_and_the_session_level_fingerprint()
    {
        var offer = Offers.Read(Offers.Load(Offers.Firefox), out var problem);

        Assert.Null(problem);
        Assert.NotNull(offer);
        Assert.Equal(("7a9e1c3f", "1b3ed5e8e3b0fd4e2b5dbd5bfc1b6f9c"), (offer.IceUfrag, offer.IcePassword));
        Assert.Equal(new Fingerprint("sha-256",
            "2B:0B:64:E9:E6:73:4F:6C:6E:16:9B:44:24:21:AB:28:3C:67:DE:1A:E9:52:8E:7B:1B:2F:0B:E1:3C:0E:F1:3D"), offer.Fingerprint);
        Assert.Equal("actpass", offer.Setup);
    }

    [Fact]
    public void Session_level_credentials_are_used_when_the_sections_have_none()
    {
        var sdp = Offers.Without(Offers.Load(Offers.ChromiumNoSimulcast), "a=ice-")
            .Replace("a=group:BUNDLE 0 1\r\n", "a=group:BUNDLE 0 1\r\na=ice-ufrag:sess\r\na=ice-pwd:sessionPasswordIsLongEnough\r\n");

        var offer = Offers.Read(sdp, out var problem);

        Assert.Null(problem);
        Assert.Equal(("sess", "sessionPasswordIsLongEnough"), (offer!.IceUfrag, offer.IcePassword));
    }

    [Theory]
    [InlineData(Offers.Chromium, "a=group:BUNDLE", "BUNDLE")]
    [InlineData(Offers.Firefox, "a=group:BUNDLE", "BUNDLE")]
    [InlineData(Offers.Chromium, "a=rtcp-mux", "rtcp-mux")]
    [InlineData(Offers.Firefox, "a=rtcp-mux", "rtcp-mux")]
    [InlineData(Offers.Chromium, "a=ice-ufrag:", "ice-ufrag")]
    [InlineData(Offers.Firefox, "a=ice-ufrag:", "ice-ufrag")]
    [InlineData(Offers.Chromium, "a=ice-pwd:", "ice-pwd")]
    [InlineData(Offers.Chromium, "a=fingerprint:", "fingerprint")]
    [InlineData(Offers.Firefox, "a=fingerprint:", "fingerprint")]
    public void Offer_without_a_required_line_is_refused_with_the_reason(string file, string removedLine, string reason)
    {
        var offer = Offers.Read(Offers.Without(Offers.Load(file), removedLine), out var problem);

        Assert.Null(offer);
        Assert.NotNull(problem);
        Assert.Contains(reason, problem);
    }

    [Fact]
    public void Offer_with_a_section_left_out_of_the_bundle_is_refused()
    {
        var sdp = Offers.Load(Offers.Chromium).Replace("a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 1");

        Assert.Null(Offers.Read(sdp, out var problem));
        Assert.Contains("BUNDLE", problem);
    }

    [Fact]
    public void Offer_with_rtcp_mux_missing_from_one_section_only_is_refused()
    {
        var sdp = Offers.Load(Offers.Chromium);
        int video = sdp.IndexOf("m=video", StringComparison.Ordinal);
        sdp = sdp[..video] + sdp[video..].Replace("a=rtcp-mux\r\n", "");

        Assert.Null(Offers.Read(sdp, out var problem));
        Assert.Contains("rtcp-mux", problem);
    }

    [Fact]
    public void Data_channel_section_needs_no_rtcp_mux()
    {
        var sdp = Offers.Load(Offers.Chromium);
        Assert.DoesNotContain("a=rtcp-mux", sdp[sdp.IndexOf("m=application", StringComparison.Ordinal)..]);

        Assert.NotNull(Offers.Read(sdp, out var problem));
        Assert.Null(problem);
    }

    [Fact]
    public void Rejected_section_outside_the_bundle_is_allowed()
    {
        var sdp = Offers.Load(Offers.Chromium).Replace("a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 1")
            .Replace("m=application 9 ", "m=application 0 ");

        Assert.NotNull(Offers.Read(sdp, out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData(Offers.Chromium)]
    [InlineData(Offers.Firefox)]
    public void Holdconn_offer_is_refused(string file)
    {
        var sdp = Offers.Load(file).Replace("a=setup:actpass", "a=setup:holdconn");

        Assert.Null(Offers.Read(sdp, out var problem));
        Assert.Contains("holdconn", problem);
    }

    [Theory]
    [InlineData("actpass", "passive")]
    [InlineData("active", "passive")]
    [InlineData("passive", "active")]
    public void Answer_setup_makes_this_side_the_dtls_server_unless_the_offerer_insists(string offered, string answered)
    {
        var offer = Offers.Read(Offers.Load(Offers.Chromium).Replace("a=setup:actpass", "a=setup:" + offered), out _);

        Assert.Equal(offered, offer!.Setup);
        Assert.Equal(answered, offer.AnswerSetup);
    }

    [Fact]
    public void Offer_without_setup_is_taken_as_actpass()
    {
        var offer = Offers.Read(Offers.Without(Offers.Load(Offers.Chromium), "a=setup:"), out var problem);

        Assert.Null(problem);
        Assert.Equal(("actpass", "passive"), (offer!.Setup, offer.AnswerSetup));
    }
}

public class SdpAnswerTests
{
    static readonly Fingerprint ServerFingerprint = new("sha-256",
        "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89");

    static readonly IceCandidate UdpHost = new("1", 1, "udp", 2130706431, "203.0.113.10", 3478, "host", null, null, null);
    static readonly IceCandidate TcpPassiveHost = new("2", 1, "tcp", 1518280447, "203.0.113.10", 443, "host", null, null, "passive");

    static readonly LocalSource AudioSource = new("switchboard", "audio-track", "sbCname", 1111, null);
    static readonly LocalSource VideoSource = new("switchboard", "video-track", "sbCname", 2222, 3333);

    static readonly RtcpFeedbackType[] VideoFeedback = [new(-1, "nack", null), new(-1, "nack", "pli"), new(-1, "transport-cc", null)];
    static readonly string[] SupportedExtensions =
        ["urn:ietf:params:rtp-hdrext:sdes:mid", "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"];

    /// <summary>The answer to the Chromium offer: Opus, VP8 with RTX, the data channel rejected; written, then parsed back.</summary>
    static (WebRtcOffer Offer, SessionDescription Answer, string Text) AnswerChromium()
    {
        var offer = WebRtcOffer.TryRead(SessionDescription.Parse(Offers.Load(Offers.Chromium)), out var problem)
            ?? throw new InvalidOperationException(problem);
        var (audio, video, data) = (offer.Sdp.Media[0], offer.Sdp.Media[1], offer.Sdp.Media[2]);
        SectionAnswer[] sections =
        [
            new(audio, CodecNegotiation.Negotiate(audio, [new CodecCapability("opus", 48000, 2, Feedback: [new(-1, "transport-cc", null)])]),
                CodecNegotiation.NegotiateExtensions(audio, SupportedExtensions), "sendrecv", AudioSource),
            new(video, CodecNegotiation.Negotiate(video, [new CodecCapability("VP8", 90000, Feedback: VideoFeedback)]),
                CodecNegotiation.NegotiateExtensions(video, SupportedExtensions), "sendrecv", VideoSource),
            SectionAnswer.Reject(data),
        ];
        var transport = new AnswerTransport("srvUfrag", "serverPassword0123456789", ServerFingerprint, offer.AnswerSetup,
            [UdpHost, TcpPassiveHost], IceLite: true);
        var text = SdpAnswer.Write(offer, sections, transport).ToString();
        return (offer, SessionDescription.Parse(text), text);
    }

    [Fact]
    public void Answer_re_parses_and_writes_back_unchanged()
    {
        var (_, answer, text) = AnswerChromium();

        Assert.Equal(text, answer.ToString());
        Assert.Equal("v=0", answer.SessionLines[0].ToString());
    }

    [Fact]
    public void Answer_is_ice_lite_and_bundles_only_the_accepted_sections()
    {
        var (_, answer, _) = AnswerChromium();

        Assert.True(answer.IceLite);
        Assert.Equal(["0", "1"], answer.BundleMids);
        Assert.Equal(["extmap-allow-mixed"], answer.SessionLines.Where(l => l.Value == "extmap-allow-mixed").Select(l => l.Value));
    }

    [Fact]
    public void Answer_has_one_section_per_offered_one_in_order()
    {
        var (offer, answer, _) = AnswerChromium();

        Assert.Equal(offer.Sdp.Media.Select(m => (m.Media, m.Protocol, m.Mid)), answer.Media.Select(m => (m.Media, m.Protocol, m.Mid)));
    }

    [Fact]
    public void Rejected_data_channel_has_port_0_and_keeps_its_mid()
    {
        var (_, answer, _) = AnswerChromium();
        var data = answer.Media[2];

        Assert.Equal(("application", 0, "2"), (data.Media, data.Port, data.Mid));
        Assert.Equal(["webrtc-datachannel"], data.Formats);
        Assert.Empty(data.Candidates);
        Assert.Null(data.IceUfrag);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Accepted_section_carries_the_transport(int index)
    {
        var (offer, answer, _) = AnswerChromium();
        var section = answer.Media[index];

        Assert.Equal(9, section.Port);
        Assert.Equal(offer.Sdp.Media[index].Mid, section.Mid);
        Assert.Equal("passive", section.Setup);
        Assert.Equal(ServerFingerprint, section.Fingerprint);
        Assert.Equal(("srvUfrag", "serverPassword0123456789"), (section.IceUfrag, section.IcePwd));
        Assert.True(section.RtcpMux);
        Assert.True(section.HasFlag("rtcp-rsize")); // offered, so echoed
        Assert.True(section.HasFlag("end-of-candidates"));
        Assert.Equal("sendrecv", section.Direction);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Candidate_lines_round_trip_exactly(int index)
    {
        var (_, answer, _) = AnswerChromium();
        var values = answer.Media[index].Attributes("candidate").ToList();

        Assert.Equal(["1 1 udp 2130706431 203.0.113.10 3478 typ host", "2 1 tcp 1518280447 203.0.113.10 443 typ host tcptype passive"], values);
        Assert.Equal([UdpHost, TcpPassiveHost], answer.Media[index].Candidates);
        foreach (var value in values)
        {
            Assert.True(IceCandidate.TryParse(value, out var candidate));
            Assert.Equal(value, candidate.ToString());
        }
    }

    [Fact]
    public void Audio_section_keeps_the_offered_opus_payload_type_parameters_and_extension_ids()
    {
        var (_, answer, _) = AnswerChromium();
        var audio = answer.Media[0];

        Assert.Equal(["111"], audio.Formats);
        Assert.Equal([new Rtpmap(111, "opus", 48000, 2)], audio.Rtpmaps);
        Assert.Contains("rtpmap:111 opus/48000/2", audio.Lines.Select(l => l.Value));
        var fmtp = Assert.Single(audio.Fmtps);
        Assert.Equal((111, "10", "1"), (fmtp.PayloadType, fmtp.Parameters["minptime"], fmtp.Parameters["useinbandfec"]));
        Assert.Equal([new RtcpFeedbackType(111, "transport-cc", null)], audio.RtcpFeedback);
        Assert.Equal([(3, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"), (4, "urn:ietf:params:rtp-hdrext:sdes:mid")],
            audio.Extmaps.Select(e => (e.Id, e.Uri)));
    }

    [Fact]
    public void Audio_source_without_rtx_has_ssrc_lines_and_no_ssrc_group()
    {
        var (_, answer, _) = AnswerChromium();
        var audio = answer.Media[0];

        Assert.Equal("switchboard audio-track", audio.Msid);
        Assert.Empty(audio.SsrcGroups);
        Assert.Equal(["1111 cname:sbCname", "1111 msid:switchboard audio-track"], audio.Attributes("ssrc"));
    }

    [Fact]
    public void Video_section_keeps_vp8_and_its_rtx_with_the_offered_payload_types()
    {
        var (_, answer, _) = AnswerChromium();
        var video = answer.Media[1];

        Assert.Equal(["96", "97"], video.Formats);
        Assert.Equal([new Rtpmap(96, "VP8", 90000, 1), new Rtpmap(97, "rtx", 90000, 1)], video.Rtpmaps);
        var apt = Assert.Single(video.Fmtps);
        Assert.Equal((97, "96"), (apt.PayloadType, apt.Parameters["apt"]));
        Assert.Contains("fmtp:97 apt=96", video.Lines.Select(l => l.Value));
        Assert.Equal(["transport-cc", "nack", "nack"], video.RtcpFeedback.Select(f => f.Type));
        Assert.All(video.RtcpFeedback, f => Assert.Equal(96, f.PayloadType));
        Assert.Equal([(3, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"), (4, "urn:ietf:params:rtp-hdrext:sdes:mid")],
            video.Extmaps.Select(e => (e.Id, e.Uri)).Order());
    }

    [Fact]
    public void Video_source_with_rtx_has_an_fid_group_and_cname_and_msid_for_both_ssrcs()
    {
        var (_, answer, _) = AnswerChromium();
        var video = answer.Media[1];

        Assert.Equal("switchboard video-track", video.Msid);
        var fid = Assert.Single(video.SsrcGroups);
        Assert.Equal("FID", fid.Semantics);
        Assert.Equal([2222u, 3333u], fid.Ssrcs);
        Assert.Equal(
            ["2222 cname:sbCname", "2222 msid:switchboard video-track", "3333 cname:sbCname", "3333 msid:switchboard video-track"],
            video.Attributes("ssrc"));
        Assert.Equal([2222u, 3333u], video.Ssrcs);
    }

    [Fact]
    public void Answer_reads_back_as_the_transport_it_was_written_with()
    {
        var (_, answer, _) = AnswerChromium();

        var read = WebRtcOffer.TryRead(answer, out var problem);

        Assert.Null(problem);
        Assert.Equal(("srvUfrag", "serverPassword0123456789", ServerFingerprint, "passive"),
            (read!.IceUfrag, read.IcePassword, read.Fingerprint, read.Setup));
    }

    [Fact]
    public void Firefox_offer_gets_no_extmap_allow_mixed_it_did_not_offer()
    {
        var offer = WebRtcOffer.TryRead(SessionDescription.Parse(Offers.Load(Offers.Firefox)), out _)!;
        var sections = offer.Sdp.Media.Select(m => new SectionAnswer(m,
            CodecNegotiation.Negotiate(m, [new CodecCapability("opus", 48000, 2), new CodecCapability("VP8", 90000)]), [], "recvonly")).ToList();

        var answer = SessionDescription.Parse(SdpAnswer.Write(offer, sections,
            new AnswerTransport("srvUfrag", "serverPassword0123456789", ServerFingerprint, offer.AnswerSetup, [UdpHost], IceLite: true)).ToString());

        Assert.DoesNotContain(answer.SessionLines, l => l.Value == "extmap-allow-mixed");
        Assert.Equal(["0", "1"], answer.BundleMids);
        Assert.Equal([["109"], ["120", "124"]], answer.Media.Select(m => m.Formats.ToArray()));
        Assert.All(answer.Media, m => Assert.Equal("recvonly", m.Direction));
    }

    [Fact]
    public void Answer_needs_one_section_answer_per_offered_section()
    {
        var offer = WebRtcOffer.TryRead(SessionDescription.Parse(Offers.Load(Offers.Chromium)), out _)!;
        var transport = new AnswerTransport("srvUfrag", "serverPassword0123456789", ServerFingerprint, "passive", [], IceLite: true);

        Assert.Throws<ArgumentException>(() => SdpAnswer.Write(offer, [SectionAnswer.Reject(offer.Sdp.Media[0])], transport));
    }

    [Fact]
    public void Answer_rejecting_everything_has_no_bundle_group()
    {
        var offer = WebRtcOffer.TryRead(SessionDescription.Parse(Offers.Load(Offers.Chromium)), out _)!;
        var transport = new AnswerTransport("srvUfrag", "serverPassword0123456789", ServerFingerprint, "passive", [], IceLite: true);

        var answer = SessionDescription.Parse(SdpAnswer.Write(offer, offer.Sdp.Media.Select(SectionAnswer.Reject).ToList(), transport).ToString());

        Assert.Empty(answer.BundleMids);
        Assert.All(answer.Media, m => Assert.Equal(0, m.Port));
        Assert.Equal(["0", "1", "2"], answer.Media.Select(m => m.Mid));
    }
}

public class DataChannelAnswerTests
{
    [Fact]
    public void Chromium_data_channel_section_is_answered_with_the_sctp_port_and_the_largest_message_and_bundled()
    {
        var offer = WebRtcOffer.TryRead(SessionDescription.Parse(Offers.Load(Offers.Chromium)), out var problem) ?? throw new InvalidOperationException(problem);
        var data = offer.Sdp.Media[2];
        Assert.True(SectionAnswer.IsDataChannelOffer(data));
        Assert.Equal(5000, data.SctpPort);
        Assert.Equal(262144, data.MaxMessageSize);
        SectionAnswer[] sections = [SectionAnswer.Reject(offer.Sdp.Media[0]), SectionAnswer.Reject(offer.Sdp.Media[1]), SectionAnswer.DataChannels(data, new SctpAnswer(5000, 262144))];
        var transport = new AnswerTransport("srvUfrag", "serverPassword0123456789", new Fingerprint("sha-256", "AB:CD"), offer.AnswerSetup, [], IceLite: true);

        var answer = SessionDescription.Parse(SdpAnswer.Write(offer, sections, transport).ToString());

        var section = answer.Media[2];
        Assert.Equal("application 9 UDP/DTLS/SCTP webrtc-datachannel", section.MediaLine);
        Assert.Equal([data.Mid!], answer.BundleMids);
        Assert.Equal(5000, section.SctpPort);
        Assert.Equal(262144, section.MaxMessageSize);
        Assert.Equal("passive", section.Setup);
        Assert.Null(section.Direction);
        Assert.DoesNotContain(section.Lines, l => l.Value.StartsWith("rtcp", StringComparison.Ordinal));
    }

    [Fact]
    public void The_older_draft_form_of_aiortc_is_answered_in_its_own_form()
    {
        var sdp = SessionDescription.Parse("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=application 41063 DTLS/SCTP 5000\r\nc=IN IP4 127.0.0.1\r\n"
            + "a=mid:0\r\na=sctpmap:5000 webrtc-datachannel 65535\r\na=max-message-size:65536\r\na=ice-ufrag:S2bI\r\na=ice-pwd:aNeHVSSgz4UyNsoWI1MVhb\r\n"
            + "a=fingerprint:sha-256 FD:93\r\na=setup:actpass\r\n");
        var offer = WebRtcOffer.TryRead(sdp, out var problem) ?? throw new InvalidOperationException(problem);
        var data = offer.Sdp.Media[0];
        Assert.True(SectionAnswer.IsDataChannelOffer(data));
        Assert.Equal((5000, 65536L), (data.SctpPort, data.MaxMessageSize));
        var transport = new AnswerTransport("srvUfrag", "serverPassword0123456789", new Fingerprint("sha-256", "AB:CD"), offer.AnswerSetup, [], IceLite: true);

        var answer = SessionDescription.Parse(SdpAnswer.Write(offer, [SectionAnswer.DataChannels(data, new SctpAnswer(5000, 262144))], transport).ToString()).Media[0];

        Assert.Equal("application 9 DTLS/SCTP 5000", answer.MediaLine);
        Assert.Equal("5000 webrtc-datachannel 65535", answer.Attribute("sctpmap"));
        Assert.Null(answer.Attribute("sctp-port"));
        Assert.Equal(("srvUfrag", 262144L), (answer.IceUfrag, answer.MaxMessageSize));
    }

    [Theory]
    [InlineData("m=application 9 DTLS/SCTP 5000")] // without a=sctpmap
    [InlineData("m=application 9 UDP/DTLS/SCTP webrtc-datachannel other")]
    [InlineData("m=video 9 UDP/DTLS/SCTP webrtc-datachannel")]
    public void Older_or_foreign_application_sections_are_not_data_channel_offers(string line)
    {
        var sdp = SessionDescription.Parse($"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n{line}\r\na=mid:0\r\n");
        Assert.False(SectionAnswer.IsDataChannelOffer(sdp.Media[0]));
    }
}
