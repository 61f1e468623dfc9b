namespace Switchboard.Protocols.Sdp;

/// <summary>
/// What an answerer needs from a WebRTC offer to set up its one transport (RFC 8843 BUNDLE with max-bundle, RFC 8829
/// §5.3): the peer's ICE credentials, certificate fingerprint and DTLS role, taken from the first bundled section or
/// the session level, and the checks an offer must pass to be answered.
/// </summary>
public sealed record WebRtcOffer(SessionDescription Sdp, string IceUfrag, string IcePassword, Fingerprint Fingerprint, string Setup)
{
    /// <summary>Parses and reads an offer; <paramref name="problem"/> names the bad line or what is missing.</summary>
    public static WebRtcOffer? TryRead(string sdp, out string? problem)
    {
        try
        {
            return TryRead(SessionDescription.Parse(sdp), out problem);
        }
        catch (SdpParseException e)
        {
            problem = e.Message;
            return null;
        }
    }

    /// <summary>Reads an offer; <paramref name="problem"/> says in one sentence why one cannot be answered.</summary>
    public static WebRtcOffer? TryRead(SessionDescription sdp, out string? problem)
    {
        problem = null;
        var bundled = sdp.Media.Where(m => m.Port != 0 || m.HasFlag("bundle-only")).ToList();
        if (bundled.Count == 0) { problem = "the offer has no media section"; return null; }
        var bundle = sdp.BundleMids;
        if (bundled.Any(m => m.Mid is null || !bundle.Contains(m.Mid))) { problem = "every media section must be in a=group:BUNDLE (max-bundle)"; return null; }
        if (bundled.Any(m => m.Media is "audio" or "video" && !m.RtcpMux)) { problem = "every RTP section must use a=rtcp-mux"; return null; }
        MediaDescription first = bundled.FirstOrDefault(m => m.Mid == bundle[0]) ?? bundled[0];
        string? ufrag = first.IceUfrag ?? sdp.Attributes("ice-ufrag").FirstOrDefault();
        string? password = first.IcePwd ?? sdp.Attributes("ice-pwd").FirstOrDefault();
        if (ufrag is null || password is null) { problem = "the offer has no a=ice-ufrag and a=ice-pwd"; return null; }
        Fingerprint? fingerprint = first.Fingerprint
            ?? sdp.Attributes("fingerprint").Select(v => Fingerprint.TryParse(v, out var f) ? f : null).FirstOrDefault(f => f is not null);
        if (fingerprint is null) { problem = "the offer has no a=fingerprint"; return null; }
        string setup = first.Setup ?? sdp.Attributes("setup").FirstOrDefault() ?? "actpass";
        if (setup == "holdconn") { problem = "a=setup:holdconn cannot be answered"; return null; }
        return new WebRtcOffer(sdp, ufrag, password, fingerprint, setup);
    }

    /// <summary>
    /// An offer for plain RTP (RFC 3550 over UDP, no ICE and no DTLS): the same one-transport shape, bundled with
    /// rtcp-mux, without credentials or a fingerprint. The server makes these itself, for its gateways.
    /// </summary>
    public static WebRtcOffer? TryReadPlainRtp(string sdp, out string? problem)
    {
        SessionDescription parsed;
        try { parsed = SessionDescription.Parse(sdp); }
        catch (SdpParseException e)
        {
            problem = e.Message;
            return null;
        }
        problem = parsed.Media.Count == 0 || parsed.Media.Any(m => m.Mid is null || !m.RtcpMux) ? "a plain RTP offer has sections with a mid and a=rtcp-mux" : null;
        return problem is null ? new WebRtcOffer(parsed, "", "", new Fingerprint("", ""), "passive") : null;
    }

    /// <summary>The answer's a=setup (RFC 5763 §5): passive (this side is the DTLS server) unless the offerer insists on passive.</summary>
    public string AnswerSetup => Setup == "passive" ? "active" : "passive";
}
