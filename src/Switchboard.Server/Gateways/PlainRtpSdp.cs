using System.Globalization;
using System.Text;

namespace Switchboard.Server.Gateways;

/// <summary>
/// The SDP of plain RTP gateways (RFC 4566, RFC 3551 RTP/AVP): the offers the server makes for itself, with a section
/// per stream, bundled and with rtcp-mux as the SFU takes them; and the description a receiver such as ffmpeg or
/// GStreamer opens (<c>ffmpeg -protocol_whitelist file,udp,rtp -i stream.sdp</c>).
/// </summary>
public static class PlainRtpSdp
{
    /// <summary>One stream: its codec, its SSRC when the encoder sends it, and the receiver's port when the server sends it.</summary>
    public sealed record Stream(GatewayCodec Codec, uint Ssrc = 0, int Port = 0);

    /// <summary>The offer of a gateway that sends into the room: each stream <c>sendonly</c> with its SSRC.</summary>
    public static string Ingest(IReadOnlyList<Stream> streams) => Offer(streams, "sendonly", "0.0.0.0");

    /// <summary>The offer of a gateway that takes the room's media to <paramref name="host"/>: each stream <c>recvonly</c> at its port.</summary>
    public static string Egress(IReadOnlyList<Stream> streams, string host) => Offer(streams, "recvonly", host);

    private static string Offer(IReadOnlyList<Stream> streams, string direction, string host)
    {
        var sdp = Session("gateway", host);
        sdp.Append("a=group:BUNDLE ").AppendJoin(' ', Enumerable.Range(0, streams.Count)).Append("\r\n");
        for (int mid = 0; mid < streams.Count; mid++)
        {
            Stream stream = streams[mid];
            Section(sdp, stream, host, direction == "recvonly" ? stream.Port : 9);
            sdp.Append(CultureInfo.InvariantCulture, $"a=mid:{mid}\r\na={direction}\r\n");
            if (stream.Ssrc != 0) sdp.Append(CultureInfo.InvariantCulture, $"a=ssrc:{stream.Ssrc} cname:gateway\r\n");
        }
        return sdp.ToString();
    }

    /// <summary>What a receiver at <paramref name="host"/> opens to take the streams the server sends it.</summary>
    public static string Receiver(IReadOnlyList<Stream> streams, string host, string name)
    {
        var sdp = Session(name, host);
        foreach (Stream stream in streams)
        {
            Section(sdp, stream, host, stream.Port);
            sdp.Append("a=recvonly\r\n");
        }
        return sdp.ToString();
    }

    private static StringBuilder Session(string name, string host) =>
        new StringBuilder().Append("v=0\r\n").Append(CultureInfo.InvariantCulture, $"o=- 0 0 IN {Family(host)} {host}\r\ns={name}\r\nt=0 0\r\n");

    private static void Section(StringBuilder sdp, Stream stream, string host, int port)
    {
        GatewayCodec codec = stream.Codec;
        sdp.Append(CultureInfo.InvariantCulture, $"m={codec.Kind} {port} RTP/AVP {codec.PayloadType}\r\nc=IN {Family(host)} {host}\r\n");
        sdp.Append(CultureInfo.InvariantCulture, $"a=rtpmap:{codec.PayloadType} {codec.Rtpmap}\r\n");
        if (codec.Fmtp is not null) sdp.Append(CultureInfo.InvariantCulture, $"a=fmtp:{codec.PayloadType} {codec.Fmtp}\r\n");
        sdp.Append("a=rtcp-mux\r\n");
    }

    private static string Family(string host) => host.Contains(':', StringComparison.Ordinal) ? "IP6" : "IP4";
}
