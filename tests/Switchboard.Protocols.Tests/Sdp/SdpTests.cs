using Switchboard.Protocols.Sdp;

namespace Switchboard.Protocols.Tests.Sdp;

public class SdpTests
{
    static string Load(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Sdp", "TestData", name));

    [Theory]
    [InlineData("chromium-156-offer.sdp")]
    [InlineData("chromium-156-offer-no-simulcast.sdp")]
    [InlineData("firefox-esr-style-offer.sdp")]
    [InlineData("firefox-esr-153-offer.sdp")]
    public void Offers_round_trip_line_for_line(string name)
    {
        var sdp = Load(name);
        Assert.Equal(sdp, SessionDescription.Parse(sdp).ToString());
        // LF-only input comes back with CRLF and nothing else changed.
        Assert.Equal(sdp, SessionDescription.Parse(sdp.Replace("\r\n", "\n")).ToString());
    }

    [Fact]
    public void Chromium_offer_reads_into_typed_attributes()
    {
        var offer = SessionDescription.Parse(Load("chromium-156-offer.sdp"));
        Assert.Equal(["0", "1", "2"], offer.BundleMids);
        var (audio, video, data) = (offer.Media[0], offer.Media[1], offer.Media[2]);
        Assert.Equal(("audio", 9, "UDP/TLS/RTP/SAVPF"), (audio.Media, audio.Port, audio.Protocol));
        Assert.Equal("0", audio.Mid);
        Assert.Equal("sendrecv", audio.Direction);
        Assert.True(audio.RtcpMux);
        Assert.Equal("actpass", audio.Setup);
        Assert.Equal("sha-256", audio.Fingerprint!.Algorithm);
        Assert.Equal("d60f", audio.IceUfrag);
        Assert.Contains(audio.Rtpmaps, r => r == new Rtpmap(111, "opus", 48000, 2));
        Assert.Equal("1", audio.Fmtps.Single(f => f.PayloadType == 111).Parameters["useinbandfec"]);
        Assert.Contains(audio.Extmaps, e => e.Id == 1 && e.Uri == "urn:ietf:params:rtp-hdrext:ssrc-audio-level");
        Assert.Single(audio.Ssrcs);

        Assert.Equal(["q", "h", "f"], video.Rids.Select(r => r.Id));
        Assert.All(video.Rids, r => Assert.Equal("send", r.Direction));
        Assert.Equal("send q;h;f", video.Simulcast);
        Assert.Contains(video.RtcpFeedback, f => f.PayloadType == 96 && f.Type == "nack" && f.Parameter == "pli");
        var h264 = video.Rtpmaps.First(r => r.Encoding == "H264");
        Assert.Equal("1", video.Fmtps.Single(f => f.PayloadType == h264.PayloadType).Parameters["packetization-mode"]);
        Assert.Contains(video.Fmtps, f => f.Parameters.TryGetValue("apt", out var apt) && apt == "96");
        Assert.Contains(video.Rtpmaps, r => r.Encoding == "AV1");
        Assert.Contains(video.Extmaps, e => e.Uri.Contains("dependency-descriptor"));

        Assert.Equal(("application", "webrtc-datachannel"), (data.Media, data.Formats[0]));
        Assert.Equal(5000, data.SctpPort);
        Assert.Equal(262144, data.MaxMessageSize);
    }

    [Fact]
    public void Firefox_style_offer_reads_candidates_ssrc_groups_and_extmap_directions()
    {
        var offer = SessionDescription.Parse(Load("firefox-esr-style-offer.sdp"));
        var audio = offer.Media[0];
        var candidates = audio.Candidates.ToList();
        Assert.Equal(3, candidates.Count);
        Assert.Equal(("udp", "127.0.0.1", 50000, "host"), (candidates[0].Transport, candidates[0].Address, candidates[0].Port, candidates[0].Type));
        Assert.Equal("active", candidates[1].TcpType);
        Assert.Equal(("127.0.0.1", 50000), (candidates[2].RelatedAddress, candidates[2].RelatedPort));
        Assert.True(audio.HasFlag("end-of-candidates"));
        Assert.Equal("recvonly", audio.Extmaps.Single(e => e.Id == 2).Direction);
        var fid = offer.Media[1].SsrcGroups.Single();
        Assert.Equal(("FID", 2), (fid.Semantics, fid.Ssrcs.Length));
        Assert.Equal(65536, offer.Media[1].MaxMessageSize); // absent: 64 KiB
    }

    [Theory]
    [InlineData("o=- 1 1 IN IP4 0.0.0.0\r\nv=0\r\n", 1, "v=0")]
    [InlineData("v=0\r\ns=-\r\nm=audio\r\n", 3, "m= needs")]
    [InlineData("v=0\r\ns=-\r\nm=audio nine UDP/TLS/RTP/SAVPF 111\r\n", 3, "port")]
    [InlineData("v=0\r\ns=-\r\nm=audio 70000 UDP/TLS/RTP/SAVPF 111\r\n", 3, "port")]
    [InlineData("v=0\r\ns=-\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:opus/48000\r\n", 4, "rtpmap")]
    [InlineData("v=0\r\ns=-\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:200 opus/48000\r\n", 4, "rtpmap")]
    [InlineData("v=0\r\ns=-\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=extmap:0 urn:x\r\n", 4, "extmap")]
    [InlineData("v=0\r\ns=-\r\na=setup:sometimes\r\n", 3, "setup")]
    [InlineData("v=0\r\ns=-\r\na=candidate:1 1 udp 1 127.0.0.1 99999 typ host\r\n", 3, "candidate")]
    [InlineData("v=0\r\nthis is not sdp\r\n", 2, "<letter>=<value>")]
    [InlineData("v=0\r\ns=a\0b\r\n", 2, "control characters")]
    public void Malformed_sdp_names_the_line(string sdp, int line, string problem)
    {
        var error = Assert.Throws<SdpParseException>(() => SessionDescription.Parse(sdp));
        Assert.Equal(line, error.LineNumber);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Oversized_sdp_long_lines_and_too_many_lines_are_refused()
    {
        Assert.Throws<SdpParseException>(() => SessionDescription.Parse("v=0\r\n" + new string('a', SessionDescription.MaxLength)));
        Assert.Contains("longer than", Assert.Throws<SdpParseException>(() => SessionDescription.Parse("v=0\r\ns=" + new string('x', 9000) + "\r\n")).Message);
        var many = "v=0\r\n" + string.Concat(Enumerable.Repeat("a=x\r\n", SessionDescription.MaxLines + 1));
        Assert.Contains("lines", Assert.Throws<SdpParseException>(() => SessionDescription.Parse(many)).Message);
    }

    [Fact]
    public void Random_mutations_of_a_real_offer_throw_nothing_but_the_parse_error()
    {
        var offer = Load("chromium-156-offer.sdp");
        var random = new Random(17);
        for (int i = 0; i < 2000; i++)
        {
            var chars = offer.ToCharArray();
            for (int m = 0; m < 5; m++) chars[random.Next(chars.Length)] = (char)random.Next(0, 128);
            var mutated = new string(chars, 0, random.Next(1, chars.Length));
            try
            {
                var parsed = SessionDescription.Parse(mutated);
                foreach (var section in parsed.Media)
                {
                    _ = section.Rtpmaps.Count() + section.Extmaps.Count() + section.Candidates.Count() + section.Rids.Count() + section.Ssrcs.Count();
                    _ = section.MaxMessageSize + (section.SctpPort ?? 0);
                }
                _ = parsed.ToString();
            }
            catch (SdpParseException)
            {
            }
        }
    }
}
