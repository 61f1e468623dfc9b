using System.Globalization;
using System.Text;

namespace Switchboard.Protocols.Sdp;

/// <summary>
/// An SDP offer or answer (RFC 8866): the session-level lines and the media sections. <see cref="Parse"/> checks the
/// grammar WebRTC depends on and reports the first bad line by number; <see cref="ToString"/> writes every line back
/// in its order, unknown ones included, with CRLF endings.
/// </summary>
public sealed class SessionDescription
{
    public const int MaxLength = 256 * 1024, MaxLines = 8192, MaxLineLength = 8192;

    public SessionDescription(List<SdpLine> sessionLines, List<MediaDescription> media)
    {
        SessionLines = sessionLines;
        Media = media;
    }

    public List<SdpLine> SessionLines { get; }
    public List<MediaDescription> Media { get; }

    public IEnumerable<string> Attributes(string name) =>
        SessionLines.Where(l => l.AttributeName == name).Select(l => l.AttributeValue);

    /// <summary>The mids of a=group:BUNDLE (RFC 8843 §7), empty when there is no bundle group.</summary>
    public IReadOnlyList<string> BundleMids =>
        Attributes("group").Select(v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries)).FirstOrDefault(g => g.Length > 0 && g[0] == "BUNDLE")?[1..] ?? [];

    public bool IceLite => SessionLines.Any(l => l.Type == 'a' && l.Value == "ice-lite");

    public static SessionDescription Parse(string sdp)
    {
        if (sdp.Length > MaxLength) throw new SdpParseException(0, "", $"the SDP is longer than {MaxLength} characters");
        var sessionLines = new List<SdpLine>();
        var media = new List<MediaDescription>();
        List<SdpLine> current = sessionLines;
        int number = 0;
        foreach (var raw in sdp.Split('\n'))
        {
            var text = raw.EndsWith('\r') ? raw[..^1] : raw;
            number++;
            if (text.Length == 0) continue; // the final CRLF, or a stray empty line
            if (number > MaxLines) throw new SdpParseException(number, text, $"more than {MaxLines} lines");
            if (text.Length > MaxLineLength) throw new SdpParseException(number, text, $"line longer than {MaxLineLength} characters");
            if (text.Length < 2 || text[1] != '=' || text[0] is < 'a' or > 'z') throw new SdpParseException(number, text, "a line is <letter>=<value>");
            if (text.AsSpan().IndexOfAny('\0', '\r') >= 0) throw new SdpParseException(number, text, "control characters in a line");
            var line = new SdpLine(text[0], text[2..]);
            if (number == 1 && text != "v=0") throw new SdpParseException(number, text, "an SDP starts with v=0");
            if (line.Type == 'm')
            {
                current = [];
                media.Add(ParseMediaLine(number, text, current));
                continue;
            }
            Validate(number, text, line);
            current.Add(line);
        }
        if (sessionLines.Count == 0 || sessionLines[0] != new SdpLine('v', "0")) throw new SdpParseException(1, sdp.Split('\n')[0].TrimEnd('\r'), "an SDP starts with v=0");
        return new SessionDescription(sessionLines, media);
    }

    static MediaDescription ParseMediaLine(int number, string text, List<SdpLine> lines)
    {
        var fields = text[2..].Split(' ');
        if (fields.Length < 4 || fields[0].Length == 0)
            throw new SdpParseException(number, text, "m= needs <media> <port> <proto> <fmt> ...");
        var portText = fields[1].Split('/')[0];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            throw new SdpParseException(number, text, "the m= port is not a number from 0 to 65535");
        return new MediaDescription(fields[0], port, fields[2], fields[3..], lines, text[2..]);
    }

    /// <summary>The attributes whose grammar matters to WebRTC must parse; others are kept as they are.</summary>
    static void Validate(int number, string text, SdpLine line)
    {
        string? problem = line.AttributeName switch
        {
            "rtpmap" when !Rtpmap.TryParse(line.AttributeValue, out _) => "a=rtpmap needs <payload type 0-127> <encoding>/<clock rate>[/<channels>]",
            "fmtp" when !Fmtp.TryParse(line.AttributeValue, out _) => "a=fmtp needs <payload type> <parameters>",
            "rtcp-fb" when !RtcpFeedbackType.TryParse(line.AttributeValue, out _) => "a=rtcp-fb needs <payload type or *> <type> [<parameter>]",
            "extmap" when !Extmap.TryParse(line.AttributeValue, out _) => "a=extmap needs <id 1-255>[/<direction>] <URI>",
            "fingerprint" when !Fingerprint.TryParse(line.AttributeValue, out _) => "a=fingerprint needs <hash function> <fingerprint>",
            "ssrc-group" when !SsrcGroup.TryParse(line.AttributeValue, out _) => "a=ssrc-group needs <semantics> <ssrc> ...",
            "rid" when !Rid.TryParse(line.AttributeValue, out _) => "a=rid needs <id> send|recv [<restrictions>]",
            "candidate" when !IceCandidate.TryParse(line.AttributeValue, out _) => "a=candidate needs <foundation> <component> <transport> <priority> <address> <port> typ <type>",
            "setup" when line.AttributeValue is not ("active" or "passive" or "actpass" or "holdconn") => "a=setup is active, passive, actpass or holdconn",
            "mid" when line.AttributeValue.Length == 0 => "a=mid is empty",
            "sctp-port" when !Rtpmap.Int(line.AttributeValue, out var p) || p > 65535 => "a=sctp-port is not a port number",
            "max-message-size" when !long.TryParse(line.AttributeValue, NumberStyles.None, CultureInfo.InvariantCulture, out _) => "a=max-message-size is not a number",
            _ => null,
        };
        if (problem is not null) throw new SdpParseException(number, text, problem);
    }

    public override string ToString()
    {
        var sdp = new StringBuilder();
        foreach (var line in SessionLines) sdp.Append(line.ToString()).Append("\r\n");
        foreach (var section in Media)
        {
            sdp.Append("m=").Append(section.MediaLine).Append("\r\n");
            foreach (var line in section.Lines) sdp.Append(line.ToString()).Append("\r\n");
        }
        return sdp.ToString();
    }
}
