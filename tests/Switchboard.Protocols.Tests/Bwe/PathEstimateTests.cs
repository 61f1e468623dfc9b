using Switchboard.Protocols.Bwe;
using Switchboard.Protocols.Rtcp;

namespace Switchboard.Protocols.Tests.Bwe;

/// <summary>What a receiver's transport-wide feedback may cost: implausible or too frequent feedback is refused.</summary>
public sealed class PathEstimateTests
{
    /// <summary>A 24-byte feedback whose one run-length chunk claims <paramref name="statuses"/> packets not received.</summary>
    private static byte[] Claiming(int statuses)
    {
        var fci = new byte[12];
        fci[0] = 0x12; // base sequence number
        (fci[2], fci[3]) = ((byte)(statuses >> 8), (byte)statuses);
        (fci[8], fci[9]) = ((byte)(0x00 | (Math.Min(statuses, 0x1FFF) >> 8)), (byte)Math.Min(statuses, 0x1FFF)); // run length of "not received"
        var packet = new byte[4 + 8 + fci.Length];
        FeedbackPacket.WriteHeader(packet, RtcpPacketType.TransportFeedback, TransportFeedback.Format, 1, 2, fci.Length);
        fci.CopyTo(packet, 12);
        return packet;
    }

    private static bool Offer(PathEstimate estimate, byte[] datagram, long nowMillis)
    {
        foreach (RtcpPacket packet in new RtcpCompound(datagram))
            if (FeedbackPacket.TryRead(packet, out var feedback) && TransportFeedback.TryRead(feedback, out var transportFeedback))
                return estimate.OnTransportFeedback(transportFeedback, nowMillis);
        throw new InvalidOperationException("not a transport-wide feedback");
    }

    [Fact]
    public void Feedback_claiming_more_statuses_than_two_seconds_of_packets_is_refused()
    {
        var estimate = new PathEstimate();
        Assert.False(Offer(estimate, Claiming(PathEstimate.MaxFeedbackStatuses + 1), 1000));
        Assert.True(Offer(estimate, Claiming(100), 1000));
    }

    [Fact]
    public void At_most_fifty_feedbacks_a_second_are_read()
    {
        var estimate = new PathEstimate();
        int read = Enumerable.Range(0, 200).Count(i => Offer(estimate, Claiming(10), 5000 + i));
        Assert.Equal(PathEstimate.MaxFeedbackPerSecond, read);
        Assert.True(Offer(estimate, Claiming(10), 6000)); // the next second
    }
}
