using System.Net;
using Switchboard.Protocols.Sdp;

namespace Switchboard.Media.Gateway;

/// <summary>
/// Where a plain RTP connection's packets go, read from the gateway's offer: the SSRC signalled for each payload type it
/// receives (its <c>sendonly</c> sections), and the address of each payload type it sends (its <c>recvonly</c> sections'
/// <c>c=</c> and port, RTP and RTCP on one port as a=rtcp-mux says).
/// </summary>
internal sealed record PlainRtpRoutes(IReadOnlyDictionary<byte, uint> InboundSsrcs, IReadOnlyDictionary<byte, SocketAddress> Destinations,
    IReadOnlyList<SocketAddress> RtcpDestinations, IReadOnlySet<byte> VideoPayloadTypes)
{
    public static PlainRtpRoutes Read(SessionDescription sdp)
    {
        var inbound = new Dictionary<byte, uint>();
        var destinations = new Dictionary<byte, SocketAddress>();
        var rtcp = new List<SocketAddress>();
        var video = new HashSet<byte>();
        string? sessionAddress = ConnectionAddress(sdp.SessionLines);
        foreach (MediaDescription media in sdp.Media)
        {
            var payloadTypes = media.Rtpmaps.Select(r => (byte)r.PayloadType).ToList();
            if (media.Direction == "sendonly" && media.Ssrcs.FirstOrDefault() is var ssrc and not 0)
            {
                foreach (byte pt in payloadTypes) inbound[pt] = ssrc;
            }
            else if (media.Direction == "recvonly" && (ConnectionAddress(media.Lines) ?? sessionAddress) is { } host
                && IPAddress.TryParse(host, out var address) && media.Port is > 0 and <= ushort.MaxValue)
            {
                var to = new IPEndPoint(address, media.Port).Serialize();
                foreach (byte pt in payloadTypes) destinations[pt] = to;
                if (media.Media == "video") video.UnionWith(payloadTypes);
                if (!rtcp.Contains(to)) rtcp.Add(to);
            }
        }
        return new PlainRtpRoutes(inbound, destinations, rtcp, video);
    }

    /// <summary>The address of a <c>c=IN IP4 a.b.c.d</c> (or IP6) line among these.</summary>
    private static string? ConnectionAddress(IEnumerable<SdpLine> lines) =>
        lines.Where(l => l.Type == 'c').Select(l => l.Value.Split(' ')).Where(p => p.Length >= 3 && p[0] == "IN")
            .Select(p => p[2].Split('/')[0]).FirstOrDefault();
}
