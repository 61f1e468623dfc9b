namespace Switchboard.Signaling.Protocol;

/// <summary>
/// Whether an SDP sends and/or receives audio or video, from its direction attributes (RFC 8866 §6.7: a
/// session-level default, overridden per media section; sendrecv when absent). Sections with port 0 are
/// disabled unless bundle-only (RFC 8843 §6); data channels (m=application) count for neither.
/// </summary>
public static class SdpMediaDirections
{
    public static (bool Sends, bool Receives) Scan(string sdp)
    {
        bool sends = false, receives = false;
        string sessionDirection = "sendrecv";
        string? direction = null;
        bool inMedia = false, media = false, disabled = false, bundleOnly = false;

        void EndSection()
        {
            if (!inMedia || !media || (disabled && !bundleOnly)) return;
            var d = direction ?? sessionDirection;
            sends |= d is "sendrecv" or "sendonly";
            receives |= d is "sendrecv" or "recvonly";
        }

        foreach (var raw in sdp.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.StartsWith("m="))
            {
                EndSection();
                inMedia = true;
                direction = null;
                bundleOnly = false;
                var fields = line[2..].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                media = fields.Length > 0 && fields[0] is "audio" or "video";
                disabled = fields.Length > 1 && fields[1] == "0";
            }
            else if (line is "a=sendrecv" or "a=sendonly" or "a=recvonly" or "a=inactive")
            {
                if (inMedia) direction = line[2..].ToString();
                else sessionDirection = line[2..].ToString();
            }
            else if (line is "a=bundle-only")
            {
                bundleOnly = true;
            }
        }
        EndSection();
        return (sends, receives);
    }
}
