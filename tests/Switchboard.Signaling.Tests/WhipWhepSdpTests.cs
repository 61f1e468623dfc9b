using Switchboard.Media.Contracts;
using Switchboard.Signaling.WhipWhep;

namespace Switchboard.Signaling.Tests;

/// <summary>What a WHIP or WHEP offer's sections carry, and RFC 8840 fragments: trickle, ICE restart, the answer fragment.</summary>
public sealed class WhipWhepSdpTests
{
    private static string Sdp(params string[] lines) => string.Join("\r\n", lines) + "\r\n";

    private static string Section(string kind, string mid, string direction, int port = 9) =>
        $"m={kind} {port} UDP/TLS/RTP/SAVPF 96\r\na=mid:{mid}\r\na={direction}";

    [Fact]
    public void A_browser_offer_publishes_its_first_audio_as_the_microphone_and_its_first_video_as_the_camera()
    {
        var sections = OfferSections.Read(Sdp("v=0", "a=group:BUNDLE 0 1 2", Section("audio", "0", "sendonly"), Section("video", "1", "sendonly"),
            "a=rid:q send", "a=rid:f send", "a=simulcast:send q;f", Section("application", "2", "sendrecv")));
        Assert.Equal(2, sections.Count); // the data section is not media
        var tracks = OfferSections.Publications(sections, out var problem);
        Assert.Null(problem);
        Assert.Equal([new OfferedTrack("0", TrackSource.Microphone), new OfferedTrack("1", TrackSource.Camera)], tracks);
    }

    [Fact]
    public void Second_sections_are_the_screen_and_a_third_is_refused_with_a_sentence()
    {
        var two = OfferSections.Read(Sdp("v=0", Section("video", "a", "sendonly"), Section("video", "b", "sendrecv"), Section("audio", "c", "sendonly"),
            Section("audio", "d", "sendonly")));
        Assert.Equal([TrackSource.Camera, TrackSource.Screen, TrackSource.Microphone, TrackSource.ScreenAudio],
            OfferSections.Publications(two, out _)!.Select(t => t.Source));
        var three = OfferSections.Read(Sdp("v=0", Section("video", "a", "sendonly"), Section("video", "b", "sendonly"), Section("video", "c", "sendonly")));
        Assert.Null(OfferSections.Publications(three, out var problem));
        Assert.Contains("camera and screen", problem);
    }

    [Fact]
    public void Receiving_rejected_and_midless_sections_publish_nothing()
    {
        var sections = OfferSections.Read(Sdp("v=0", "a=recvonly", "m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=mid:0", Section("video", "1", "sendonly", port: 0),
            "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=sendonly"));
        Assert.Equal("recvonly", sections[0].Direction); // the session-level direction
        Assert.False(sections[1].Enabled);
        Assert.Null(sections[2].Mid);
        Assert.Null(OfferSections.Publications(sections, out var problem));
        Assert.Contains("sends no audio or video", problem);
    }

    [Fact]
    public void A_viewer_gets_one_publishers_camera_and_microphone_before_anything_else()
    {
        TrackInfo Track(string participant, TrackSource source) => new(TrackSources.TrackId(participant, source), participant, source, false, 1);
        var tracks = new[] { Track("a", TrackSource.Screen), Track("b", TrackSource.Microphone), Track("a", TrackSource.Microphone), Track("b", TrackSource.Camera) };
        var sections = OfferSections.Read(Sdp("v=0", Section("audio", "0", "recvonly"), Section("video", "1", "recvonly"), Section("video", "2", "recvonly"),
            Section("video", "3", "recvonly")));
        var wanted = OfferSections.Subscriptions(sections, tracks);
        Assert.Equal([new WantedTrack("1", "b/camera"), new WantedTrack("2", "a/screen"), new WantedTrack("0", "b/microphone")], wanted);
    }

    [Fact]
    public void A_fragment_with_new_credentials_restarts_ice_and_replaces_them_in_the_offer()
    {
        var offer = Sdp("v=0", "m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=ice-ufrag:old1", "a=ice-pwd:oldpassword", "a=mid:0",
            "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=ice-ufrag:old1", "a=ice-pwd:oldpassword", "a=mid:1");
        var trickle = TrickleIceFragment.Read("a=ice-ufrag:old1\r\na=ice-pwd:oldpassword\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 1 127.0.0.1 5000 typ host\r\n");
        Assert.False(trickle.RestartsIce(offer));
        Assert.False(TrickleIceFragment.Read("a=candidate:1 1 udp 1 127.0.0.1 5000 typ host\r\n").RestartsIce(offer));

        var restart = TrickleIceFragment.Read("a=ice-ufrag:new2\r\na=ice-pwd:newpassword\r\n");
        Assert.True(restart.RestartsIce(offer));
        var restarted = restart.ApplyTo(offer);
        Assert.Equal(2, restarted.Split("a=ice-ufrag:new2\r\n").Length - 1);
        Assert.Equal(2, restarted.Split("a=ice-pwd:newpassword\r\n").Length - 1);
        Assert.DoesNotContain("old", restarted);
    }

    [Fact]
    public void The_answer_fragment_has_the_servers_credentials_and_the_first_sections_candidates()
    {
        var answer = Sdp("v=0", "a=ice-lite", "a=group:BUNDLE 0 1", "m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=ice-ufrag:srv1", "a=ice-pwd:serverpassword",
            "a=mid:0", "a=candidate:1 1 udp 2130706431 127.0.0.1 3478 typ host", "a=end-of-candidates", "a=rtpmap:111 opus/48000/2",
            "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=ice-ufrag:srv1", "a=ice-pwd:serverpassword", "a=mid:1", "a=candidate:1 1 udp 2130706431 127.0.0.1 3478 typ host");
        Assert.Equal(Sdp("a=ice-lite", "a=ice-ufrag:srv1", "a=ice-pwd:serverpassword", "m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=mid:0",
            "a=candidate:1 1 udp 2130706431 127.0.0.1 3478 typ host", "a=end-of-candidates"), TrickleIceFragment.AnswerFragment(answer));
    }

    [Theory]
    [InlineData("*", true)]
    [InlineData("\"other\", *", true)]
    [InlineData("\"other\"", false)]
    public void If_match_takes_the_tag_or_a_star(string ifMatch, bool matches)
    {
        var session = new WhipWhepSession(WhipWhepKind.Whip, "id", "p", "room", new MediaOffer("", [], [], true, true));
        Assert.Equal(matches, session.Matches(ifMatch));
        Assert.True(session.Matches(session.ETag));
        Assert.True(session.Matches("W/" + session.ETag));
    }
}
