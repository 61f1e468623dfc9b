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

    /// <summary>Data bus messages the peer sent, and bus messages for it that were dropped (it lagged, or they were too large for it).</summary>
    public long DataMessagesReceived;
    public long DataMessagesDropped;

    /// <summary>SRTP/SRTCP packets that failed authentication or replay checks, or could not be parsed.</summary>
    public long PacketsDiscarded;

    /// <summary>Packets the sources sent that never arrived, summed over inbound streams (RFC 3550 cumulative lost).</summary>
    public long PacketsLost;

    /// <summary>
    /// RTCP requests refused for going over a bound: a packet asked for again within a round trip or too often, a
    /// subscriber over its retransmission budget, a datagram over its request limit, implausible feedback.
    /// </summary>
    public long FeedbackRefused;

    /// <summary>Adds the counters (not the round trip) to <paramref name="total"/>: a closed peer's share of the host's totals.</summary>
    public void AddTo(PeerStatistics total)
    {
        Interlocked.Add(ref total.PacketsReceived, Interlocked.Read(ref PacketsReceived));
        Interlocked.Add(ref total.BytesReceived, Interlocked.Read(ref BytesReceived));
        Interlocked.Add(ref total.PacketsSent, Interlocked.Read(ref PacketsSent));
        Interlocked.Add(ref total.BytesSent, Interlocked.Read(ref BytesSent));
        Interlocked.Add(ref total.DataPacketsReceived, Interlocked.Read(ref DataPacketsReceived));
        Interlocked.Add(ref total.DataPacketsSent, Interlocked.Read(ref DataPacketsSent));
        Interlocked.Add(ref total.DataMessagesReceived, Interlocked.Read(ref DataMessagesReceived));
        Interlocked.Add(ref total.DataMessagesDropped, Interlocked.Read(ref DataMessagesDropped));
        Interlocked.Add(ref total.PacketsDiscarded, Interlocked.Read(ref PacketsDiscarded));
        Interlocked.Add(ref total.PacketsLost, Interlocked.Read(ref PacketsLost));
        Interlocked.Add(ref total.FeedbackRefused, Interlocked.Read(ref FeedbackRefused));
    }

    /// <summary>Last round-trip time from the peer's RTCP reports, in milliseconds; -1 until one is known.</summary>
    public double RoundTripMillis = -1;
}
