using System.Globalization;

namespace Switchboard.Protocols.Sdp;

// Typed values of the attributes WebRTC uses (RFC 8866 §6, RFC 8829 §5), read from SdpLine values.

/// <summary>a=rtpmap (RFC 8866 §6.6): payload type, encoding name, clock rate and channels.</summary>
public sealed record Rtpmap(int PayloadType, string Encoding, int ClockRate, int Channels)
{
    public static bool TryParse(string value, out Rtpmap rtpmap)
    {
        rtpmap = null!;
        var parts = value.Split(' ', 2);
        if (parts.Length != 2 || !Int(parts[0], out var pt) || pt is < 0 or > 127) return false;
        var codec = parts[1].Split('/');
        if (codec.Length is < 2 or > 3 || codec[0].Length == 0 || !Int(codec[1], out var clock) || clock <= 0) return false;
        int channels = 1;
        if (codec.Length == 3 && (!Int(codec[2], out channels) || channels <= 0)) return false;
        rtpmap = new Rtpmap(pt, codec[0], clock, channels);
        return true;
    }

    internal static bool Int(string s, out int value) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}

/// <summary>a=fmtp (RFC 8866 §6.15): payload type and its "key=value;key=value" parameters.</summary>
public sealed record Fmtp(int PayloadType, IReadOnlyDictionary<string, string> Parameters)
{
    public static bool TryParse(string value, out Fmtp fmtp)
    {
        fmtp = null!;
        var parts = value.Split(' ', 2);
        if (parts.Length != 2 || !Rtpmap.Int(parts[0], out var pt)) return false;
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in parts[1].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = pair.IndexOf('=');
            parameters[eq < 0 ? pair : pair[..eq]] = eq < 0 ? "" : pair[(eq + 1)..];
        }
        fmtp = new Fmtp(pt, parameters);
        return true;
    }
}

/// <summary>a=rtcp-fb (RFC 4585 §4.2): payload type (-1 for "*"), type and parameter, e.g. "nack pli".</summary>
public sealed record RtcpFeedbackType(int PayloadType, string Type, string? Parameter)
{
    public static bool TryParse(string value, out RtcpFeedbackType feedback)
    {
        feedback = null!;
        var parts = value.Split(' ', 3);
        if (parts.Length < 2) return false;
        int pt = -1;
        if (parts[0] != "*" && !Rtpmap.Int(parts[0], out pt)) return false;
        feedback = new RtcpFeedbackType(pt, parts[1], parts.Length == 3 ? parts[2] : null);
        return true;
    }
}

/// <summary>a=extmap (RFC 8285 §8): id, optional direction, URI and extension attributes.</summary>
public sealed record Extmap(int Id, string? Direction, string Uri, string? Attributes)
{
    public static bool TryParse(string value, out Extmap extmap)
    {
        extmap = null!;
        var parts = value.Split(' ', 3);
        if (parts.Length < 2) return false;
        var idPart = parts[0].Split('/', 2);
        if (!Rtpmap.Int(idPart[0], out var id) || id is < 1 or > 255) return false;
        extmap = new Extmap(id, idPart.Length == 2 ? idPart[1] : null, parts[1], parts.Length == 3 ? parts[2] : null);
        return true;
    }
}

/// <summary>a=fingerprint (RFC 8122 §5): hash function and the colon-separated hex fingerprint.</summary>
public sealed record Fingerprint(string Algorithm, string Value)
{
    public static bool TryParse(string value, out Fingerprint fingerprint)
    {
        var parts = value.Split(' ', 2);
        fingerprint = parts.Length == 2 ? new Fingerprint(parts[0].ToLowerInvariant(), parts[1]) : null!;
        return parts.Length == 2 && parts[1].Length > 0;
    }
}

/// <summary>a=ssrc-group (RFC 5576 §4.2), e.g. FID (RTX) or SIM.</summary>
public sealed record SsrcGroup(string Semantics, uint[] Ssrcs)
{
    public static bool TryParse(string value, out SsrcGroup group)
    {
        group = null!;
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2) return false;
        var ssrcs = new uint[parts.Length - 1];
        for (int i = 1; i < parts.Length; i++)
            if (!uint.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out ssrcs[i - 1])) return false;
        group = new SsrcGroup(parts[0], ssrcs);
        return true;
    }
}

/// <summary>a=rid (RFC 8851 §4): an RTP stream id, its direction ("send"/"recv") and restrictions.</summary>
public sealed record Rid(string Id, string Direction, string? Restrictions)
{
    public static bool TryParse(string value, out Rid rid)
    {
        var parts = value.Split(' ', 3);
        rid = parts.Length >= 2 && parts[1] is "send" or "recv" ? new Rid(parts[0], parts[1], parts.Length == 3 ? parts[2] : null) : null!;
        return rid is not null;
    }
}

/// <summary>a=candidate (RFC 8839 §5.1): foundation, component, transport, priority, address, port, type, and the rest.</summary>
public sealed record IceCandidate(string Foundation, int Component, string Transport, uint Priority, string Address, int Port, string Type,
    string? RelatedAddress, int? RelatedPort, string? TcpType)
{
    public static bool TryParse(string value, out IceCandidate candidate)
    {
        candidate = null!;
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 8 || parts[6] != "typ" || !Rtpmap.Int(parts[1], out var component)
            || !uint.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var priority)
            || !Rtpmap.Int(parts[5], out var port) || port > 65535) return false;
        string? raddr = null, tcptype = null;
        int? rport = null;
        for (int i = 8; i + 1 < parts.Length; i += 2)
        {
            switch (parts[i])
            {
                case "raddr": raddr = parts[i + 1]; break;
                case "rport": rport = Rtpmap.Int(parts[i + 1], out var p) ? p : null; break;
                case "tcptype": tcptype = parts[i + 1]; break;
            }
        }
        candidate = new IceCandidate(parts[0], component, parts[2].ToLowerInvariant(), priority, parts[4], port, parts[7], raddr, rport, tcptype);
        return true;
    }

    /// <summary>The a=candidate value (RFC 8839 §5.1).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Foundation} {Component} {Transport} {Priority} {Address} {Port} typ {Type}")
        + (RelatedAddress is null ? "" : $" raddr {RelatedAddress}") + (RelatedPort is { } rport ? string.Create(CultureInfo.InvariantCulture, $" rport {rport}") : "")
        + (TcpType is null ? "" : $" tcptype {TcpType}");
}
