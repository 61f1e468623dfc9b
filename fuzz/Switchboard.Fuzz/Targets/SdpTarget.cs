using System.Text;
using Switchboard.Media;
using Switchboard.Protocols.Sdp;
using Switchboard.Signaling.Protocol;

namespace Switchboard.Fuzz;

/// <summary>
/// An SDP offer as the echo endpoint, the SFU and signaling receive it (the bytes read as UTF-8).
/// <see cref="SessionDescription.Parse"/> throws <see cref="SdpParseException"/> for malformed SDP, the documented
/// "bad input" result, which is not a crash; <see cref="WebRtcOffer.TryRead(string, out string?)"/> returns null with
/// the problem. On an accepted SDP: every accessor of every section, the text written back (it must parse again to the
/// same text), the offer answered the way the echo and the SFU answer it (the answer must parse), and signaling's
/// direction scan.
/// </summary>
public static class SdpTarget
{
    static readonly AnswerTransport Transport = new("ufrag", "password-password-password",
        new Fingerprint("sha-256", "AB:CD:EF"), "passive",
        [new IceCandidate("1", 1, "udp", 2130706431, "192.0.2.7", 7882, "host", null, null, null)], IceLite: true);

    public static void Run(ReadOnlySpan<byte> data)
    {
        var text = Encoding.UTF8.GetString(data);
        SdpMediaDirections.Scan(text);

        SessionDescription sdp;
        try
        {
            sdp = SessionDescription.Parse(text);
        }
        catch (SdpParseException e)
        {
            FuzzInvariantException.Check(e.LineNumber >= 0 && e.Message.Length > 0, "parse exception without a line");
            FuzzInvariantException.Check(WebRtcOffer.TryRead(text, out var problem) is null && problem is not null, "TryRead accepted what Parse refused");
            return;
        }

        _ = (sdp.BundleMids, sdp.IceLite, sdp.Attributes("group").Count(), sdp.Attributes("fingerprint").Count());
        foreach (var media in sdp.Media) ReadSection(media);

        var written = sdp.ToString();
        if (written.Length <= SessionDescription.MaxLength)
            FuzzInvariantException.Check(SessionDescription.Parse(written).ToString() == written, "the SDP written back reads differently");

        var offer = WebRtcOffer.TryRead(sdp, out var refusal);
        FuzzInvariantException.Check((offer is null) == (refusal is not null), "TryRead: neither an offer nor a problem");
        if (offer is null) return;
        _ = (offer.AnswerSetup, offer.IceUfrag, offer.IcePassword, offer.Fingerprint, offer.Setup);

        var answers = new List<SectionAnswer>();
        foreach (var media in sdp.Media)
        {
            var codecs = media.Mid is null ? [] : media.Media switch
            {
                "audio" => CodecNegotiation.Negotiate(media, MediaCapabilities.Audio),
                "video" => CodecNegotiation.Negotiate(media, MediaCapabilities.Video),
                _ => [],
            };
            if (codecs.Count == 0)
            {
                answers.Add(SectionAnswer.Reject(media));
                continue;
            }
            var extensions = CodecNegotiation.NegotiateExtensions(media, [MediaCapabilities.MidUri, MediaCapabilities.RidUri, MediaCapabilities.TransportWideCcUri, MediaCapabilities.AbsSendTimeUri]);
            var rids = media.Rids.Where(r => r.Direction == "send").Select(r => r.Id).ToList();
            bool hasRtx = codecs.Any(c => c.RtxPayloadType is not null);
            var source = new LocalSource("stream", $"track-{media.Mid}", "cname", 1234, hasRtx ? 5678 : null);
            answers.Add(new SectionAnswer(media, codecs, extensions, answers.Count % 2 == 0 ? "sendrecv" : "recvonly", source,
                rids.Count > 1 ? rids : null, media.Media == "video" ? 2500 : null));
        }
        var answer = SdpAnswer.Write(offer, answers, Transport).ToString();
        try
        {
            SessionDescription.Parse(answer);
        }
        catch (SdpParseException e)
        {
            throw new FuzzInvariantException($"the answer to an accepted offer is not valid SDP: {e.Message}");
        }
    }

    static void ReadSection(MediaDescription media)
    {
        _ = (media.Media, media.Port, media.Protocol, media.Formats.Count, media.MediaLine, media.Mid, media.Direction);
        foreach (var rtpmap in media.Rtpmaps) _ = Protocols.Rtp.VideoCodecs.FromEncoding(rtpmap.Encoding);
        _ = media.Fmtps.Count() + media.RtcpFeedback.Count() + media.Extmaps.Count() + media.SsrcGroups.Count() + media.Rids.Count();
        foreach (var candidate in media.Candidates) _ = candidate.ToString();
        _ = (media.Fingerprint, media.Simulcast, media.Setup, media.IceUfrag, media.IcePwd, media.Msid, media.RtcpMux, media.RtcpMuxOnly);
        _ = (media.SctpPort, media.MaxMessageSize, media.Ssrcs.Count(), media.Attribute("rtcp"), media.HasFlag("bundle-only"));
    }
}
