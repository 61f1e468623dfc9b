using System.Diagnostics.Metrics;
using Switchboard.Media.Peers;
using Switchboard.Media.Transport;

namespace Switchboard.Media;

/// <summary>The media server's instruments (meter "Switchboard.Media"): peers, and packets and bytes summed over peers.</summary>
public sealed class MediaMetrics : IDisposable
{
    public const string MeterName = "Switchboard.Media";

    private readonly Meter _meter = new(MeterName);

    public MediaMetrics(MediaTransportHost host)
    {
        _meter.CreateObservableUpDownCounter("switchboard.media.peers", () => host.Peers.Count, description: "WebRTC peers held by the media server");
        _meter.CreateObservableUpDownCounter("switchboard.media.peers.connected", () => host.Peers.Count(p => p.IsConnected), description: "Peers with DTLS-SRTP established");
        _meter.CreateObservableCounter("switchboard.media.packets.received", () => Sum(host, s => s.PacketsReceived), description: "SRTP and SRTCP packets received and authenticated");
        _meter.CreateObservableCounter("switchboard.media.packets.sent", () => Sum(host, s => s.PacketsSent), description: "SRTP and SRTCP packets sent");
        _meter.CreateObservableCounter("switchboard.media.received", () => Sum(host, s => s.BytesReceived), unit: "By", description: "SRTP and SRTCP bytes received and authenticated");
        _meter.CreateObservableCounter("switchboard.media.sent", () => Sum(host, s => s.BytesSent), unit: "By", description: "SRTP and SRTCP bytes sent");
        _meter.CreateObservableCounter("switchboard.media.packets.discarded", () => Sum(host, s => s.PacketsDiscarded), description: "Packets that failed SRTP authentication or replay checks");
        _meter.CreateObservableCounter("switchboard.media.packets.lost", () => Sum(host, s => s.PacketsLost), description: "Packets inbound streams lost on the way (RTCP cumulative lost)");
        _meter.CreateObservableCounter("switchboard.media.feedback.refused", () => Sum(host, s => s.FeedbackRefused),
            description: "RTCP requests refused for going over a bound (retransmissions per packet, per subscriber and per datagram; implausible feedback)");
        _meter.CreateObservableCounter("switchboard.media.data.packets.received", () => Sum(host, s => s.DataPacketsReceived), description: "SCTP packets of data channels received (DTLS application data)");
        _meter.CreateObservableCounter("switchboard.media.data.packets.sent", () => Sum(host, s => s.DataPacketsSent), description: "SCTP packets of data channels sent");
        _meter.CreateObservableCounter("switchboard.media.data.messages.received", () => Sum(host, s => s.DataMessagesReceived), description: "Data bus messages participants sent");
        _meter.CreateObservableCounter("switchboard.media.data.messages.dropped", () => Sum(host, s => s.DataMessagesDropped),
            description: "Data bus messages not delivered to a participant: it lagged (lossy), its queue was full (reliable), or they were too large for it");
        _meter.CreateObservableGauge("switchboard.media.round_trip_time.average", () => RoundTrips(host).DefaultIfEmpty().Average() / 1000, unit: "s",
            description: "Average round-trip time of connected peers, from their RTCP reports");
        _meter.CreateObservableGauge("switchboard.media.round_trip_time.max", () => RoundTrips(host).DefaultIfEmpty().Max() / 1000, unit: "s",
            description: "Largest round-trip time of a connected peer, from its RTCP reports");
        _meter.CreateObservableCounter("switchboard.media.send_failures", () => host.SendFailures,
            description: "Packets not sent: refused by the kernel (UDP) or dropped from a full ICE-TCP queue");
        _meter.CreateObservableCounter("switchboard.media.datagrams.unmatched", () => Interlocked.Read(ref host.Unmatched), description: "Datagrams from no known peer or of no WebRTC kind");
    }

    private static long Sum(MediaTransportHost host, Func<PeerStatistics, long> counter) =>
        counter(host.Retired) + host.Peers.Sum(p => counter(p.Statistics));

    private static IEnumerable<double> RoundTrips(MediaTransportHost host) =>
        host.Peers.Where(p => p.IsConnected && p.Statistics.RoundTripMillis >= 0).Select(p => p.Statistics.RoundTripMillis);

    public void Dispose() => _meter.Dispose();
}
