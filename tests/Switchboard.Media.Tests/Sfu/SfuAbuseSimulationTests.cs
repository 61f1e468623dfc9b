using Switchboard.Media.Tests.Sfu.Simulation;
using Switchboard.Protocols.Rtcp;

namespace Switchboard.Media.Tests.Sfu;

/// <summary>
/// A hostile subscriber in simulated time (docs/security.md, "Media"): whatever it asks for, what the SFU sends it
/// stays bounded, and the others' media is unaffected.
/// </summary>
public sealed class SfuAbuseSimulationTests
{
    [Fact]
    public void A_nack_storm_gets_each_packet_at_most_four_times_and_at_most_half_the_media_again_while_others_are_unaffected()
    {
        var harness = new SfuHarness();
        var alice = harness.Join("alice", PublishSpec.AudioAndSimulcast);
        var mallory = harness.Join("mallory");
        var bob = harness.Join("bob");
        harness.Run(TimeSpan.FromMilliseconds(200));
        mallory.SubscribeToAll();
        bob.SubscribeToAll();
        harness.Run(TimeSpan.FromSeconds(2));
        IncomingStream stream = mallory.Incoming(alice.CameraTrackId);
        long mediaBefore = stream.Packets, rtxBefore = stream.RtxPackets;
        long sentBefore = harness.Transport.Connections.Single(c => c.Client == mallory).Statistics.BytesSent;

        // Every 10 ms for 10 s, one datagram of NACKs for the last 2,000 sequence numbers (BLP 0xFFFF: 17 a pair).
        var nack = new byte[1500];
        for (int i = 0; i < 1000; i++)
        {
            ushort newest = (ushort)(stream.Reception.CreateReportBlock(harness.NowMillis).HighestSequence);
            var lost = Enumerable.Range(0, 2000).Select(k => (ushort)(newest - 2000 + k)).ToArray();
            int length = 0;
            for (int chunk = 0; chunk < lost.Length && length < 1200; chunk += 17 * 16)
                length += GenericNack.Write(nack.AsSpan(length), 0x6666, stream.Ssrc, lost.AsSpan(chunk, Math.Min(17 * 16, lost.Length - chunk)));
            mallory.SendRtcp(nack.AsSpan(0, length));
            harness.Run(TimeSpan.FromMilliseconds(10));
        }

        SimulatedConnection connection = harness.Transport.Connections.Single(c => c.Client == mallory);
        long media = stream.Packets - mediaBefore, rtx = stream.RtxPackets - rtxBefore + stream.Duplicates;
        long sent = connection.Statistics.BytesSent - sentBefore;
        // Each of the ~4,000 packets sent in those 10 s at most four times again, and in bytes at most half of what
        // mallory was sent plus the 64 KiB burst: far from the 1000 x 2,000 packets asked.
        Assert.True(rtx <= 4 * media, $"{rtx} retransmissions for {media} packets");
        Assert.True(rtx * 1100 <= sent / 3 + 64 * 1024 + 1100 * 100, $"{rtx} retransmissions, {sent} bytes sent");
        Assert.True(connection.Statistics.FeedbackRefused > 1000 * 1000, $"{connection.Statistics.FeedbackRefused} refused");
        // The bystander: every frame, no freeze.
        IncomingStream bystander = bob.Incoming(alice.CameraTrackId);
        Assert.True(bystander.GapsSkipped == 0 && bystander.LongestFreezeMillis < 100 && bystander.FramesDecoded > 12 * 30 - 30, bob.Describe());
    }
}
