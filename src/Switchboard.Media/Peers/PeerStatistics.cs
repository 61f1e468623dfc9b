namespace Switchboard.Media.Peers;

/// <summary>One peer's transport counters, updated by the receive loops and the senders, read by metrics and the API.</summary>
public sealed class PeerStatistics
{
    public long PacketsReceived;
    public long BytesReceived;
    public long PacketsSent;
    public long BytesSent;

    /// <summary>SCTP packets of data channels (DTLS application data records) received and sent.</summary>
    public long DataPacketsReceived;
    public long DataPacketsSent;

    /// <summary>SRTP/SRTCP packets that failed authentication or replay checks, or could not be parsed.</summary>
    public long PacketsDiscarded;

    /// <summary>Packets the sources sent that never arrived, summed over inbound streams (RFC 3550 cumulative lost).</summary>
    public long PacketsLost;

    /// <summary>
    /// RTCP requests refused for going over a bound: a packet asked for again within a round trip or too often, a
    /// subscriber over its retransmission budget, a datagram over its request limit, implausible feedback.
    /// </summary>
    public long FeedbackRefused;

    /// <summary>Last round-trip time from the peer's RTCP reports, in milliseconds; -1 until one is known.</summary>
    public double RoundTripMillis = -1;
}
