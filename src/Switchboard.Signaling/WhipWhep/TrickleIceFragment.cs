using System.Text;

namespace Switchboard.Signaling.WhipWhep;

/// <summary>
/// An SDP fragment of RFC 8840 (<c>application/trickle-ice-sdpfrag</c>) as WHIP and WHEP PATCH requests carry it: the
/// client's ICE credentials and candidates. New credentials mean an ICE restart (RFC 9725 §4.3.2); the answer to one
/// is a fragment with the server's new credentials and its candidates.
/// </summary>
internal sealed record TrickleIceFragment(string? Ufrag, string? Password)
{
    public const string MediaType = "application/trickle-ice-sdpfrag";

    public static TrickleIceFragment Read(string fragment)
    {
        string? ufrag = null, password = null;
        foreach (var raw in fragment.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.StartsWith("a=ice-ufrag:")) ufrag ??= line[12..].Trim().ToString();
            else if (line.StartsWith("a=ice-pwd:")) password ??= line[10..].Trim().ToString();
        }
        return new TrickleIceFragment(ufrag, password);
    }

    /// <summary>An ICE restart: new credentials, unlike the ones in <paramref name="offer"/>.</summary>
    public bool RestartsIce(string offer)
    {
        if (Ufrag is null || Password is null) return false;
        var current = Read(offer);
        return current.Ufrag != Ufrag || current.Password != Password;
    }

    /// <summary>The offer with these credentials in place of its own (every <c>a=ice-ufrag</c> and <c>a=ice-pwd</c> line).</summary>
    public string ApplyTo(string offer)
    {
        var sdp = new StringBuilder(offer.Length);
        foreach (var raw in offer.AsSpan().EnumerateLines())
        {
            var line = raw.TrimEnd();
            if (line.IsEmpty) continue;
            if (line.StartsWith("a=ice-ufrag:")) sdp.Append("a=ice-ufrag:").Append(Ufrag);
            else if (line.StartsWith("a=ice-pwd:")) sdp.Append("a=ice-pwd:").Append(Password);
            else sdp.Append(line);
            sdp.Append("\r\n");
        }
        return sdp.ToString();
    }

    /// <summary>
    /// The fragment answering an ICE restart (RFC 8840 §4.4, RFC 9725 §4.3.2): the answer's ICE-lite flag and
    /// credentials, then its first media section's m=, mid and candidates (the bundle's transport).
    /// </summary>
    public static string AnswerFragment(string answer)
    {
        var head = new StringBuilder();
        var media = new StringBuilder();
        int section = 0;
        foreach (var raw in answer.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.StartsWith("m=")) section++;
            if (section > 1) break;
            if (line is "a=ice-lite" || line.StartsWith("a=ice-ufrag:") || line.StartsWith("a=ice-pwd:") || line.StartsWith("a=ice-options:"))
            {
                if (head.ToString().Contains(line.ToString(), StringComparison.Ordinal)) continue;
                head.Append(line).Append("\r\n");
            }
            else if (section == 1 && (line.StartsWith("m=") || line.StartsWith("a=mid:") || line.StartsWith("a=candidate:") || line is "a=end-of-candidates"))
                media.Append(line).Append("\r\n");
        }
        return head.Append(media).ToString();
    }
}
