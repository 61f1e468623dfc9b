using System.Text;
using Switchboard.Protocols.Rtp;

namespace Switchboard.Media.Tests.Support;

/// <summary>
/// How a browser names the streams of its bundled connection, for the tests' publishers: the header extensions that
/// carry each packet's mid (RFC 8843 §15) and a simulcast layer's rid (RFC 8852), as offer lines and in packets, and
/// the offer's simulcast layers (RFC 8853).
/// </summary>
internal static class RtpStreamIds
{
    public const int MidExtension = 1, RidExtension = 2, RepairedRidExtension = 3;

    public static readonly string MidExtmap = $"a=extmap:{MidExtension} urn:ietf:params:rtp-hdrext:sdes:mid";

    /// <summary>A video section's: mid, rid and repaired rid (what RTX of a layer carries).</summary>
    public static readonly string[] VideoExtmaps =
    [
        MidExtmap,
        $"a=extmap:{RidExtension} urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
        $"a=extmap:{RepairedRidExtension} urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
    ];

    /// <summary>The layers a section sends, low to high (RFC 8853 §5.1): an a=rid each, then a=simulcast.</summary>
    public static string[] SendLayers(IEnumerable<LayerSpec> layers) =>
        [.. layers.Select(l => $"a=rid:{l.Rid} send"), "a=simulcast:send " + string.Join(';', layers.Select(l => l.Rid))];

    public static RtpExtensionElement Mid(string mid) => new(MidExtension, Encoding.ASCII.GetBytes(mid));

    public static RtpExtensionElement Rid(string rid) => new(RidExtension, Encoding.ASCII.GetBytes(rid));

    public static RtpExtensionElement RepairedRid(string rid) => new(RepairedRidExtension, Encoding.ASCII.GetBytes(rid));
}
