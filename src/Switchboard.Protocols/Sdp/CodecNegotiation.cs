using System.Globalization;

namespace Switchboard.Protocols.Sdp;

/// <summary>
/// A codec the answerer supports: encoding, clock rate, channels, the format parameters that must match the offer
/// (VP9 profile-id, H.264 profile and packetization-mode, AV1 profile), and the RTCP feedback it understands.
/// </summary>
public sealed record CodecCapability(string Encoding, int ClockRate, int Channels = 1, IReadOnlyDictionary<string, string>? Parameters = null,
    IReadOnlyList<RtcpFeedbackType>? Feedback = null);

/// <summary>An offered codec the answer keeps, with its parameters, the feedback both sides understand, and its RTX.</summary>
public sealed record NegotiatedCodec(Rtpmap Codec, Fmtp? Parameters, IReadOnlyList<RtcpFeedbackType> Feedback, int? RtxPayloadType);

/// <summary>
/// The answerer's choice among an offer's codecs (RFC 8829 §5.3.1, RFC 3264 §6.1): the offered payload types it
/// supports, in the offer's order, keeping the offerer's numbers; an RTX payload type (RFC 4588, apt=) only with its
/// primary; RTCP feedback and header extensions that both sides support.
/// </summary>
public static class CodecNegotiation
{
    public static IReadOnlyList<NegotiatedCodec> Negotiate(MediaDescription offer, IReadOnlyList<CodecCapability> supported)
    {
        var fmtps = offer.Fmtps.GroupBy(f => f.PayloadType).ToDictionary(g => g.Key, g => g.First());
        var rtxFor = new Dictionary<int, int>();
        foreach (var rtpmap in offer.Rtpmaps.Where(r => r.Encoding.Equals("rtx", StringComparison.OrdinalIgnoreCase)))
            if (fmtps.TryGetValue(rtpmap.PayloadType, out var f) && f.Parameters.TryGetValue("apt", out var apt) && int.TryParse(apt, NumberStyles.None, CultureInfo.InvariantCulture, out var primary))
                rtxFor.TryAdd(primary, rtpmap.PayloadType);

        var offeredFeedback = offer.RtcpFeedback.ToList();
        var chosen = new List<NegotiatedCodec>();
        foreach (var format in offer.Formats)
        {
            if (!int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out var pt)) continue;
            var rtpmap = offer.Rtpmaps.FirstOrDefault(r => r.PayloadType == pt);
            if (rtpmap is null) continue;
            fmtps.TryGetValue(pt, out var parameters);
            var capability = supported.FirstOrDefault(c => Matches(c, rtpmap, parameters));
            if (capability is null) continue;
            var feedback = offeredFeedback.Where(f => (f.PayloadType == pt || f.PayloadType == -1)
                && (capability.Feedback ?? []).Any(s => s.Type == f.Type && s.Parameter == f.Parameter)).ToList();
            chosen.Add(new NegotiatedCodec(rtpmap, parameters, feedback, rtxFor.TryGetValue(pt, out var rtx) ? rtx : null));
        }
        return chosen;
    }

    /// <summary>The offered header extensions (RFC 8285) whose URI the answerer supports, with the offerer's ids.</summary>
    public static IReadOnlyList<Extmap> NegotiateExtensions(MediaDescription offer, IReadOnlyCollection<string> supportedUris) =>
        offer.Extmaps.Where(e => supportedUris.Contains(e.Uri)).ToList();

    /// <summary>Whether an offered codec is the capability's: same encoding, clock rate, channels and the parameters that matter.</summary>
    public static bool Matches(CodecCapability capability, Rtpmap offered, Fmtp? parameters)
    {
        if (!capability.Encoding.Equals(offered.Encoding, StringComparison.OrdinalIgnoreCase) || capability.ClockRate != offered.ClockRate
            || capability.Channels != offered.Channels) return false;
        var offeredParameters = parameters?.Parameters ?? new Dictionary<string, string>();
        var required = capability.Parameters ?? new Dictionary<string, string>();
        return offered.Encoding.ToUpperInvariant() switch
        {
            "VP9" => Parameter(offeredParameters, "profile-id", "0") == Parameter(required, "profile-id", "0"),
            "AV1" => Parameter(offeredParameters, "profile", "0") == Parameter(required, "profile", "0"),
            "H264" => Parameter(offeredParameters, "packetization-mode", "0") == Parameter(required, "packetization-mode", "0")
                      && H264Profile(Parameter(offeredParameters, "profile-level-id", "42001f")) is { } profile
                      && profile == H264Profile(Parameter(required, "profile-level-id", "42001f")),
            _ => true,
        };
    }

    static string Parameter(IReadOnlyDictionary<string, string> parameters, string name, string absent) =>
        parameters.TryGetValue(name, out var value) ? value.ToLowerInvariant() : absent;

    /// <summary>
    /// The profile of an H.264 profile-level-id (RFC 6184 §8.1: profile_idc, profile-iop, level_idc): the level is left
    /// out because level-asymmetry-allowed lets the two directions differ; Constrained Baseline is told from Baseline by
    /// its constraint_set1 flag.
    /// </summary>
    static string? H264Profile(string profileLevelId)
    {
        if (profileLevelId.Length != 6 || !int.TryParse(profileLevelId[..4], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var head)) return null;
        int profileIdc = head >> 8, iop = head & 0xFF;
        return profileIdc == 0x42 && (iop & 0x40) != 0 ? "constrained-baseline" : profileIdc.ToString("x2", CultureInfo.InvariantCulture);
    }
}
