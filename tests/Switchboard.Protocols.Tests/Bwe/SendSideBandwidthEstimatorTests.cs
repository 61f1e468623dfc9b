using Switchboard.Protocols.Bwe;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;

namespace Switchboard.Protocols.Tests.Bwe;

/// <summary>The SFU's estimate of a subscriber's path from transport-wide feedback, driven by synthetic sends and feedback.</summary>
public sealed class SendSideBandwidthEstimatorTests
{
    private const int ExtensionId = 3;

    [Fact]
    public void A_path_that_keeps_up_grows_the_estimate_up_to_one_and_a_half_times_what_arrived()
    {
        var estimator = new SendSideBandwidthEstimator();
        Assert.Equal(long.MaxValue, estimator.Estimate);
        // 100 packets of 1,020 bytes sent 1 ms apart (8.2 Mbit/s) and arriving 1 ms apart.
        var sent = Send(estimator, 100, 1000, spacingMicros: 1000);
        Assert.False(estimator.OnFeedback(Feedback(sent, arrivalSpacingMicros: 1000, lostEvery: 0), 1000));
        long first = estimator.Estimate;
        Assert.InRange(first, 8_000_000, 13_000_000);
        var more = Send(estimator, 100, 1000, spacingMicros: 1000);
        estimator.OnFeedback(Feedback(more, arrivalSpacingMicros: 1000, lostEvery: 0), 1100);
        Assert.InRange(estimator.Estimate, first, first * 106 / 100);
        Assert.Equal(0, estimator.LastOveruseAt);
    }

    [Fact]
    public void What_a_probe_gets_through_without_a_queue_is_the_estimate_at_once_but_a_short_burst_is_not()
    {
        var estimator = new SendSideBandwidthEstimator();
        // 50 packets 10 ms apart: about 0.8 Mbit/s, an estimate of 1.5 times that.
        estimator.OnFeedback(Feedback(Send(estimator, 50, 1000, spacingMicros: 10_000), arrivalSpacingMicros: 10_000, lostEvery: 0), 1000);
        long before = estimator.Estimate;
        Assert.InRange(before, 1_000_000, 1_500_000);

        // Ten packets 1 ms apart: 8 Mbit/s over 9 ms, too short to tell what the path carries.
        estimator.OnFeedback(Feedback(Send(estimator, 10, 1000, spacingMicros: 1000), arrivalSpacingMicros: 1000, lostEvery: 0), 1100);
        Assert.InRange(estimator.Estimate, before, before * 106 / 100);

        // A probe: 100 packets 0.75 ms apart (11 Mbit/s over 74 ms), arriving as sent.
        Assert.False(estimator.OnFeedback(Feedback(Send(estimator, 100, 1000, spacingMicros: 750), arrivalSpacingMicros: 750, lostEvery: 0), 1200));
        long arrived = 99L * Packet(1000).Length * 8 * 1_000_000 / (99 * 750);
        Assert.Equal(arrived, estimator.Estimate);
    }

    [Fact]
    public void A_building_queue_is_overuse_and_drops_the_estimate_below_what_arrived()
    {
        var estimator = new SendSideBandwidthEstimator();
        // Sent 1 ms apart but arriving 1.5 ms apart: over 100 packets the queue grows by 50 ms.
        var sent = Send(estimator, 100, 1000, spacingMicros: 1000);
        Assert.True(estimator.OnFeedback(Feedback(sent, arrivalSpacingMicros: 1500, lostEvery: 0), 5000));
        long arrived = 99L * Packet(1000).Length * 8 * 1_000_000 / (99 * 1500); // after the first arrival, over the span
        Assert.Equal(arrived * 85 / 100, estimator.Estimate);
        Assert.Equal(5000, estimator.LastOveruseAt);
    }

    [Fact]
    public void More_than_ten_percent_lost_is_overuse()
    {
        var estimator = new SendSideBandwidthEstimator();
        var sent = Send(estimator, 100, 1000, spacingMicros: 1000);
        Assert.True(estimator.OnFeedback(Feedback(sent, arrivalSpacingMicros: 1000, lostEvery: 5), 7000));
    }

    [Fact]
    public void Loss_counts_over_the_last_eight_feedbacks_so_one_unlucky_feedback_on_a_lossy_path_is_not_congestion()
    {
        var estimator = new SendSideBandwidthEstimator();
        for (int i = 0; i < 7; i++)
            Assert.False(estimator.OnFeedback(Feedback(Send(estimator, 50, 1000, spacingMicros: 2000), arrivalSpacingMicros: 2000, lostEvery: 0), 1000 + i * 100));
        // 8 of 50 lost (16 %) in one feedback: 2 % over the window.
        Assert.False(estimator.OnFeedback(Feedback(Send(estimator, 50, 1000, spacingMicros: 2000), arrivalSpacingMicros: 2000, lostEvery: 6), 1800));

        // A quarter lost from now on: over 10 % of the window by the third feedback.
        int feedbacks = 0;
        while (!estimator.OnFeedback(Feedback(Send(estimator, 50, 1000, spacingMicros: 2000), arrivalSpacingMicros: 2000, lostEvery: 4), 1900 + feedbacks * 100))
            Assert.InRange(++feedbacks, 1, 2);
        Assert.Equal(1900 + feedbacks * 100, estimator.LastOveruseAt);
    }

    [Fact]
    public void Between_two_and_ten_percent_lost_the_estimate_holds_but_what_a_probe_gets_through_still_raises_it()
    {
        var estimator = new SendSideBandwidthEstimator();
        estimator.OnFeedback(Feedback(Send(estimator, 50, 1000, spacingMicros: 10_000), arrivalSpacingMicros: 10_000, lostEvery: 0), 1000);
        long before = estimator.Estimate;
        // The same rate with one packet in ten lost: held.
        Assert.False(estimator.OnFeedback(Feedback(Send(estimator, 60, 1000, spacingMicros: 10_000), arrivalSpacingMicros: 10_000, lostEvery: 10), 1100));
        Assert.True(before == estimator.Estimate, $"{estimator.Estimate} after {before}");
        // A probe at 11 Mbit/s, 5 % lost, arriving as sent (no queue): the path carried it.
        Assert.False(estimator.OnFeedback(Feedback(Send(estimator, 100, 1000, spacingMicros: 750), arrivalSpacingMicros: 750, lostEvery: 20), 1200));
        Assert.True(estimator.Estimate > before * 5, $"{estimator.Estimate} after {before}");
    }

    [Fact]
    public void A_packet_without_the_element_is_not_numbered()
    {
        var estimator = new SendSideBandwidthEstimator();
        byte[] plain = Plain(100);
        Assert.False(estimator.TryStamp(plain, ExtensionId, 1));
        Assert.False(estimator.TryStamp(Packet(100), 0, 1));
        Assert.True(estimator.TryStamp(Packet(100), ExtensionId, 1));
    }

    /// <summary>Sends packets carrying a transport-wide sequence number element; returns their numbers.</summary>
    private static List<ushort> Send(SendSideBandwidthEstimator estimator, int count, int payload, long spacingMicros)
    {
        var numbers = new List<ushort>();
        for (int i = 0; i < count; i++)
        {
            byte[] packet = Packet(payload);
            Assert.True(estimator.TryStamp(packet, ExtensionId, 1_000_000 + i * spacingMicros));
            Assert.True(RtpPacket.TryParse(packet, out var rtp));
            numbers.Add((ushort)rtp.TransportSequenceNumber(ExtensionId));
        }
        return numbers;
    }

    /// <summary>The subscriber's feedback on them: arrivals evenly spaced, every n-th one lost (0: none).</summary>
    private static TransportFeedback Feedback(List<ushort> sent, long arrivalSpacingMicros, int lostEvery)
    {
        var builder = new TransportFeedbackBuilder();
        for (int i = 0; i < sent.Count; i++)
            if (lostEvery == 0 || i % lostEvery != lostEvery - 1) builder.Record(sent[i], 5_000_000 + i * arrivalSpacingMicros);
        var buffer = new byte[1500];
        int length = builder.Write(buffer, 0x1111, 0x2222);
        var compound = new RtcpCompound(buffer.AsSpan(0, length));
        foreach (RtcpPacket packet in compound)
            if (FeedbackPacket.TryRead(packet, out var feedback) && TransportFeedback.TryRead(feedback, out var transportFeedback))
                return transportFeedback;
        throw new InvalidOperationException("no feedback written");
    }

    private static byte[] Packet(int payload)
    {
        byte[] extension = [0xBE, 0xDE, 0x00, 0x01, (ExtensionId << 4) | 1, 0, 0, 0];
        byte[] rtp = Plain(payload);
        rtp[0] |= 0x10;
        return [.. rtp[..12], .. extension, .. rtp[12..]];
    }

    private static byte[] Plain(int payload)
    {
        var packet = new byte[12 + payload];
        int length = RtpPacketWriter.Write(packet, false, 96, 1, 0, 0x1234, [], new byte[payload]);
        return packet[..length];
    }
}
