using System.Globalization;

namespace Switchboard.Protocols.Sdp;

/// <summary>
/// One media section (RFC 8866 §5.14): the m= line's fields and every line after it, in order, with typed
/// accessors for what WebRTC uses (RFC 8829 §5). Unknown lines are kept and written back as they were.
/// </summary>
/// <param name="originalMediaLine">The m= line's value as parsed, written back unchanged.</param>
public sealed class MediaDescription(string media, int port, string protocol, IReadOnlyList<string> formats, List<SdpLine> lines, string? originalMediaLine = null)
{
    /// <summary>"audio", "video", "application", ...</summary>
    public string Media { get; } = media;

    /// <summary>0 for a rejected (or bundle-only) section.</summary>
    public int Port { get; } = port;

    public string Protocol { get; } = protocol;

    /// <summary>Payload types for RTP, "webrtc-datachannel" for SCTP.</summary>
    public IReadOnlyList<string> Formats { get; } = formats;

    /// <summary>Every line after the m= line.</summary>
    public List<SdpLine> Lines { get; } = lines;

    public string MediaLine => originalMediaLine ?? $"{Media} {Port.ToString(CultureInfo.InvariantCulture)} {Protocol} {string.Join(' ', Formats)}";

    public IEnumerable<string> Attributes(string name) =>
        Lines.Where(l => l.AttributeName == name).Select(l => l.AttributeValue);

    public string? Attribute(string name) => Attributes(name).Cast<string?>().FirstOrDefault();

    public bool HasFlag(string name) => Lines.Any(l => l.Type == 'a' && l.Value == name);

    public string? Mid => Attribute("mid");

    /// <summary>sendrecv, sendonly, recvonly or inactive (RFC 8866 §6.7); null when the section does not say.</summary>
    public string? Direction => Lines.Where(l => l.Type == 'a' && l.Value is "sendrecv" or "sendonly" or "recvonly" or "inactive").Select(l => l.Value).Cast<string?>().FirstOrDefault();

    public IEnumerable<Rtpmap> Rtpmaps => Parsed<Rtpmap>("rtpmap", Rtpmap.TryParse);
    public IEnumerable<Fmtp> Fmtps => Parsed<Fmtp>("fmtp", Fmtp.TryParse);
    public IEnumerable<RtcpFeedbackType> RtcpFeedback => Parsed<RtcpFeedbackType>("rtcp-fb", RtcpFeedbackType.TryParse);
    public IEnumerable<Extmap> Extmaps => Parsed<Extmap>("extmap", Extmap.TryParse);
    public IEnumerable<SsrcGroup> SsrcGroups => Parsed<SsrcGroup>("ssrc-group", SsrcGroup.TryParse);
    public IEnumerable<Rid> Rids => Parsed<Rid>("rid", Rid.TryParse);
    public IEnumerable<IceCandidate> Candidates => Parsed<IceCandidate>("candidate", IceCandidate.TryParse);
    public Fingerprint? Fingerprint => Parsed<Fingerprint>("fingerprint", Sdp.Fingerprint.TryParse).FirstOrDefault();

    /// <summary>a=simulcast (RFC 8853 §5.1), e.g. "send q;h;f".</summary>
    public string? Simulcast => Attribute("simulcast");

    /// <summary>a=setup (RFC 4145 §4, RFC 5763 §5): active, passive, actpass or holdconn.</summary>
    public string? Setup => Attribute("setup");

    public string? IceUfrag => Attribute("ice-ufrag");
    public string? IcePwd => Attribute("ice-pwd");
    public string? Msid => Attribute("msid");
    public bool RtcpMux => HasFlag("rtcp-mux");
    public bool RtcpMuxOnly => HasFlag("rtcp-mux-only");

    /// <summary>a=sctp-port (RFC 8841 §5.2), or in the older draft form the port on the m= line (<c>DTLS/SCTP 5000</c>).</summary>
    public int? SctpPort => Attribute("sctp-port") is { } v && Rtpmap.Int(v, out var p) ? p
        : Protocol == "DTLS/SCTP" && Formats.Count == 1 && Rtpmap.Int(Formats[0], out p) ? p : null;

    /// <summary>a=max-message-size (RFC 8841 §6); absent means 64 KiB (§6.1).</summary>
    public long MaxMessageSize => Attribute("max-message-size") is { } v && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 65536;

    /// <summary>The SSRCs named by a=ssrc lines (RFC 5576 §4.1), in order of first appearance.</summary>
    public IEnumerable<uint> Ssrcs => Attributes("ssrc")
        .Select(v => uint.TryParse(v.Split(' ', 2)[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ssrc) ? ssrc : (uint?)null)
        .OfType<uint>().Distinct();

    delegate bool TryParseValue<T>(string value, out T result);

    IEnumerable<T> Parsed<T>(string name, TryParseValue<T> parse)
    {
        foreach (var value in Attributes(name))
            if (parse(value, out var result)) yield return result;
    }
}
