using System.Globalization;
using System.Security.Cryptography;

namespace Switchboard.Protocols.Sdp;

/// <summary>The answerer's own media source in a section: stream and track ids (RFC 8830 msid), CNAME and SSRCs.</summary>
public sealed record LocalSource(string StreamId, string TrackId, string Cname, uint Ssrc, uint? RtxSsrc);

/// <summary>This side's data channel transport in an application section (RFC 8841): its SCTP port and largest message.</summary>
public sealed record SctpAnswer(int Port, long MaxMessageSize);

/// <summary>
/// The answer to one offered media section: the codecs kept (none rejects an RTP section), the header extensions,
/// the direction, what this side sends in it, the simulcast streams it receives (RFC 8853, by rid) and the bit rate it
/// asks the sender to stay below (b=AS, kbit/s); or, for data channels, <see cref="Sctp"/>.
/// </summary>
public sealed record SectionAnswer(MediaDescription Offer, IReadOnlyList<NegotiatedCodec> Codecs, IReadOnlyList<Extmap> Extensions,
    string Direction, LocalSource? Source = null, IReadOnlyList<string>? ReceiveRids = null, int? MaxBitrateKbps = null, SctpAnswer? Sctp = null)
{
    public bool Rejected => Codecs.Count == 0 && Sctp is null;

    /// <summary>Accepts an offered <c>UDP/DTLS/SCTP webrtc-datachannel</c> section.</summary>
    public static SectionAnswer DataChannels(MediaDescription offer, SctpAnswer sctp) => new(offer, [], [], "", Sctp: sctp);

    /// <summary>
    /// An application section for data channels: as RFC 8841 defines it (<c>UDP/DTLS/SCTP webrtc-datachannel</c>), or in
    /// the older draft form some stacks still offer (<c>DTLS/SCTP 5000</c> with <c>a=sctpmap:5000 webrtc-datachannel</c>).
    /// </summary>
    public static bool IsDataChannelOffer(MediaDescription offer) =>
        offer.Media == "application" && (offer.Protocol is "UDP/DTLS/SCTP" or "TCP/DTLS/SCTP" && offer.Formats is ["webrtc-datachannel"] || IsLegacySctp(offer));

    internal static bool IsLegacySctp(MediaDescription offer) => offer.Protocol == "DTLS/SCTP" && offer.Formats.Count == 1
        && offer.Attributes("sctpmap").Any(v => v.StartsWith(offer.Formats[0] + " webrtc-datachannel", StringComparison.Ordinal));

    public static SectionAnswer Reject(MediaDescription offer) => new(offer, [], [], "inactive");
}

/// <summary>This side's transport in the answer: ICE credentials and candidates, certificate fingerprint, DTLS role.</summary>
public sealed record AnswerTransport(string IceUfrag, string IcePassword, Fingerprint Fingerprint, string Setup,
    IReadOnlyList<IceCandidate> Candidates, bool IceLite);

/// <summary>
/// Writes a WebRTC answer (RFC 8829 §5.3.1, RFC 3264 §6): one section per offered one, in order, rejected ones with port
/// 0; the accepted ones in one BUNDLE group on one transport with rtcp-mux; the offerer's payload types and extension ids.
/// </summary>
public static class SdpAnswer
{
    public static SessionDescription Write(WebRtcOffer offer, IReadOnlyList<SectionAnswer> sections, AnswerTransport transport)
    {
        if (sections.Count != offer.Sdp.Media.Count) throw new ArgumentException("one answer per offered media section", nameof(sections));
        var accepted = sections.Where(s => !s.Rejected && s.Offer.Mid is not null).Select(s => s.Offer.Mid!).ToList();
        var session = new List<SdpLine>
        {
            new('v', "0"),
            new('o', $"- {RandomNumberGenerator.GetInt32(int.MaxValue).ToString(CultureInfo.InvariantCulture)} 2 IN IP4 127.0.0.1"),
            new('s', "-"),
            new('t', "0 0"),
        };
        if (transport.IceLite) session.Add(new('a', "ice-lite"));
        if (accepted.Count > 0) session.Add(new('a', "group:BUNDLE " + string.Join(' ', accepted)));
        if (offer.Sdp.SessionLines.Any(l => l.Type == 'a' && l.Value == "extmap-allow-mixed")) session.Add(new('a', "extmap-allow-mixed"));
        session.Add(new('a', "msid-semantic: WMS *"));
        return new SessionDescription(session, sections.Select(s => s.Rejected ? Rejected(s.Offer) : Accepted(s, transport)).ToList());
    }

    static MediaDescription Rejected(MediaDescription offer)
    {
        var lines = new List<SdpLine> { new('c', "IN IP4 0.0.0.0") };
        if (offer.Mid is { } mid) lines.Add(new('a', "mid:" + mid));
        return new MediaDescription(offer.Media, 0, offer.Protocol, offer.Formats.Take(1).ToList(), lines);
    }

    static MediaDescription Accepted(SectionAnswer answer, AnswerTransport transport)
    {
        var offer = answer.Offer;
        var lines = new List<SdpLine> { new('c', "IN IP4 0.0.0.0") };
        if (answer.MaxBitrateKbps is { } kbps) lines.Add(new('b', string.Create(CultureInfo.InvariantCulture, $"AS:{kbps}")));
        if (answer.Sctp is null) lines.Add(new('a', "rtcp:9 IN IP4 0.0.0.0"));
        foreach (var candidate in transport.Candidates) lines.Add(new('a', "candidate:" + candidate));
        if (transport.Candidates.Count > 0) lines.Add(new('a', "end-of-candidates"));
        lines.Add(new('a', "ice-ufrag:" + transport.IceUfrag));
        lines.Add(new('a', "ice-pwd:" + transport.IcePassword));
        lines.Add(new('a', $"fingerprint:{transport.Fingerprint.Algorithm} {transport.Fingerprint.Value}"));
        lines.Add(new('a', "setup:" + transport.Setup));
        lines.Add(new('a', "mid:" + offer.Mid));
        if (answer.Sctp is { } sctp)
        {
            string port = sctp.Port.ToString(CultureInfo.InvariantCulture);
            bool legacy = SectionAnswer.IsLegacySctp(offer);
            lines.Add(new('a', legacy ? $"sctpmap:{port} webrtc-datachannel 65535" : $"sctp-port:{port}"));
            lines.Add(new('a', string.Create(CultureInfo.InvariantCulture, $"max-message-size:{sctp.MaxMessageSize}")));
            return new MediaDescription(offer.Media, 9, offer.Protocol, legacy ? [port] : offer.Formats, lines);
        }
        foreach (var extension in answer.Extensions) lines.Add(new('a', string.Create(CultureInfo.InvariantCulture, $"extmap:{extension.Id} {extension.Uri}")));
        lines.Add(new('a', answer.Direction));
        if (answer.Source is { } source) lines.Add(new('a', $"msid:{source.StreamId} {source.TrackId}"));
        lines.Add(new('a', "rtcp-mux"));
        if (offer.HasFlag("rtcp-rsize")) lines.Add(new('a', "rtcp-rsize"));
        var formats = new List<string>();
        foreach (var codec in answer.Codecs)
        {
            var rtpmap = codec.Codec;
            formats.Add(rtpmap.PayloadType.ToString(CultureInfo.InvariantCulture));
            lines.Add(new('a', string.Create(CultureInfo.InvariantCulture, $"rtpmap:{rtpmap.PayloadType} {rtpmap.Encoding}/{rtpmap.ClockRate}")
                + (rtpmap.Channels > 1 ? string.Create(CultureInfo.InvariantCulture, $"/{rtpmap.Channels}") : "")));
            foreach (var feedback in codec.Feedback)
                lines.Add(new('a', string.Create(CultureInfo.InvariantCulture, $"rtcp-fb:{rtpmap.PayloadType} {feedback.Type}") + (feedback.Parameter is null ? "" : " " + feedback.Parameter)));
            if (codec.Parameters is { } fmtp) lines.Add(new('a', $"fmtp:{FormatParameters(fmtp)}"));
            if (codec.RtxPayloadType is { } rtx)
            {
                formats.Add(rtx.ToString(CultureInfo.InvariantCulture));
                lines.Add(new('a', string.Create(CultureInfo.InvariantCulture, $"rtpmap:{rtx} rtx/{rtpmap.ClockRate}")));
                lines.Add(new('a', string.Create(CultureInfo.InvariantCulture, $"fmtp:{rtx} apt={rtpmap.PayloadType}")));
            }
        }
        if (answer.ReceiveRids is { Count: > 0 } rids)
        {
            foreach (var rid in rids) lines.Add(new('a', $"rid:{rid} recv"));
            lines.Add(new('a', "simulcast:recv " + string.Join(';', rids)));
        }
        if (answer.Source is { } s)
        {
            if (s.RtxSsrc is { } rtxSsrc) lines.Add(new('a', string.Create(CultureInfo.InvariantCulture, $"ssrc-group:FID {s.Ssrc} {rtxSsrc}")));
            foreach (var ssrc in s.RtxSsrc is { } r ? [s.Ssrc, r] : new[] { s.Ssrc })
            {
                lines.Add(new('a', string.Create(CultureInfo.InvariantCulture, $"ssrc:{ssrc} cname:{s.Cname}")));
                lines.Add(new('a', string.Create(CultureInfo.InvariantCulture, $"ssrc:{ssrc} msid:{s.StreamId} {s.TrackId}")));
            }
        }
        return new MediaDescription(offer.Media, 9, offer.Protocol, formats, lines);
    }

    static string FormatParameters(Fmtp fmtp) => string.Create(CultureInfo.InvariantCulture, $"{fmtp.PayloadType} ")
        + string.Join(';', fmtp.Parameters.Select(p => p.Value.Length == 0 ? p.Key : $"{p.Key}={p.Value}"));
}
