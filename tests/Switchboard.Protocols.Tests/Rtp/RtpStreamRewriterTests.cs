using Switchboard.Protocols.Rtp;

namespace Switchboard.Protocols.Tests.Rtp;

/// <summary>One continuous outgoing RTP stream over changing sources: switches, pauses, wrap-around, reordering, duplicates, lookups.</summary>
public class RtpStreamRewriterTests
{
    private const uint Video = 90_000;

    private static (ushort Sequence, uint Timestamp) Forward(RtpStreamRewriter rewriter, int source, ushort sequence, uint timestamp, long now)
    {
        Assert.True(rewriter.TryRewrite(source, sequence, timestamp, now, out ushort outSequence, out uint outTimestamp));
        return (outSequence, outTimestamp);
    }

    [Fact]
    public void Nothing_has_started_before_the_first_packet()
    {
        var rewriter = new RtpStreamRewriter(Video);
        Assert.False(rewriter.HasStarted);
        Assert.False(rewriter.TryLookup(0, out _, out _, out _));
        Assert.False(rewriter.TryMapTimestamp(0, 1000, out _));

        var (sequence, timestamp) = Forward(rewriter, 0, 500, 9000, 0);
        Assert.True(rewriter.HasStarted);
        Assert.Equal(sequence, rewriter.LastSequenceNumber);
        Assert.Equal(timestamp, rewriter.LastTimestamp);
    }

    [Fact]
    public void Within_a_source_offsets_stay_fixed_and_a_gap_stays_a_gap()
    {
        var rewriter = new RtpStreamRewriter(Video);
        var first = Forward(rewriter, 0, 100, 1000, 0);
        var second = Forward(rewriter, 0, 101, 4000, 33);
        var afterLoss = Forward(rewriter, 0, 104, 7000, 66); // 102 and 103 lost: the subscriber must see the gap to NACK it
        Assert.Equal((ushort)(first.Sequence + 1), second.Sequence);
        Assert.Equal((ushort)(first.Sequence + 4), afterLoss.Sequence);
        Assert.Equal(first.Timestamp + 3000, second.Timestamp);
        Assert.Equal(first.Timestamp + 6000, afterLoss.Timestamp);
    }

    [Fact]
    public void Each_change_of_source_continues_the_sequence_and_advances_the_timestamp_by_the_wall_time()
    {
        var rewriter = new RtpStreamRewriter(Video);
        _ = Forward(rewriter, 0, 10, 1_000, 1_000);
        var last = Forward(rewriter, 0, 11, 4_000, 1_033);

        // Layer 1, its own bases, 40 ms after the last packet forwarded.
        var next = Forward(rewriter, 1, 30_000, 2_000_000_000, 1_073);
        Assert.Equal((ushort)(last.Sequence + 1), next.Sequence);
        Assert.Equal(last.Timestamp + 40 * 90, next.Timestamp);
        last = Forward(rewriter, 1, 30_001, 2_000_003_000, 1_106);
        Assert.Equal((ushort)(next.Sequence + 1), last.Sequence);
        Assert.Equal(next.Timestamp + 3000, last.Timestamp);

        // Layer 2 within the same millisecond: the timestamp still moves on by at least one tick.
        next = Forward(rewriter, 2, 7, 5, 1_106);
        Assert.Equal((ushort)(last.Sequence + 1), next.Sequence);
        Assert.Equal(last.Timestamp + 1, next.Timestamp);
        last = next;

        // Back to layer 0, whose sequence numbers went on meanwhile: no gap is shown for what was not forwarded.
        next = Forward(rewriter, 0, 60, 150_000, 2_000);
        Assert.Equal((ushort)(last.Sequence + 1), next.Sequence);
        Assert.Equal(last.Timestamp + 894 * 90, next.Timestamp);
        Assert.Equal(next.Sequence, rewriter.LastSequenceNumber);
        Assert.Equal(next.Timestamp, rewriter.LastTimestamp);
    }

    [Fact]
    public void A_change_of_source_continues_at_the_timestamp_the_caller_aligned_when_it_is_after_the_newest()
    {
        var rewriter = new RtpStreamRewriter(Video);
        var last = Forward(rewriter, 0, 10, 1_000, 1_000);

        // Layer 1's packet arrived 40 ms later, but was captured 2 frames after the last one (its sender reports say).
        Assert.True(rewriter.TryRewrite(1, 500, 7_000_000, 1_040, out ushort sequence, out uint timestamp, continueAt: last.Timestamp + 6000));
        Assert.Equal((ushort)(last.Sequence + 1), sequence);
        Assert.Equal(last.Timestamp + 6000, timestamp);
        Assert.Equal(timestamp + 3000, Forward(rewriter, 1, 501, 7_003_000, 1_073).Timestamp);
        last = (rewriter.LastSequenceNumber, rewriter.LastTimestamp);

        // Aligned to the newest forwarded timestamp (the same instant on another layer): the wall time instead.
        Assert.True(rewriter.TryRewrite(0, 11, 4_000, 1_083, out _, out timestamp, continueAt: last.Timestamp));
        Assert.Equal(last.Timestamp + 10 * 90, timestamp);
    }

    [Fact]
    public void After_a_pause_the_same_source_rebases()
    {
        var rewriter = new RtpStreamRewriter(48_000);
        _ = Forward(rewriter, 0, 1000, 48_000, 0);
        var last = Forward(rewriter, 0, 1001, 48_960, 20);
        rewriter.Pause();
        Assert.False(rewriter.TryMapTimestamp(0, 48_960, out _)); // no offset until the next packet

        // Muted for 5 s: 250 packets not forwarded.
        var resumed = Forward(rewriter, 0, 1251, 48_960 + 250 * 960, 5_020);
        Assert.Equal((ushort)(last.Sequence + 1), resumed.Sequence);
        Assert.Equal(last.Timestamp + 5_000 * 48, resumed.Timestamp);
        var next = Forward(rewriter, 0, 1252, 48_960 + 251 * 960, 5_040);
        Assert.Equal((ushort)(resumed.Sequence + 1), next.Sequence);
        Assert.Equal(resumed.Timestamp + 960, next.Timestamp);

        // A late packet from before the pause is older than the rebase point.
        Assert.False(rewriter.TryRewrite(0, 1100, 48_960 + 99 * 960, 5_041, out _, out _));
    }

    [Fact]
    public void Incoming_and_outgoing_sequence_numbers_and_timestamps_wrap_around()
    {
        var rewriter = new RtpStreamRewriter(Video);
        ushort sequence = 65_000;
        uint timestamp = 0xFFFF_0000;
        var previous = Forward(rewriter, 0, sequence, timestamp, 0);
        // 70,000 packets: the incoming and the outgoing sequence numbers both wrap, the timestamps too.
        for (int i = 1; i < 70_000; i++)
        {
            var next = Forward(rewriter, 0, ++sequence, timestamp += 3000, i * 33L);
            Assert.Equal((ushort)(previous.Sequence + 1), next.Sequence);
            Assert.Equal(previous.Timestamp + 3000, next.Timestamp);
            previous = next;
        }
    }

    [Fact]
    public void A_switch_on_a_packet_just_before_the_wrap_maps_the_packets_after_it()
    {
        var rewriter = new RtpStreamRewriter(Video);
        Forward(rewriter, 0, 5, 0, 0);
        var first = Forward(rewriter, 1, 65_535, 0xFFFF_FFFF, 33);
        var late = Forward(rewriter, 1, 1, 2, 34); // 0 is still on its way
        var reordered = Forward(rewriter, 1, 0, 1, 35);
        Assert.Equal((ushort)(first.Sequence + 2), late.Sequence);
        Assert.Equal((ushort)(first.Sequence + 1), reordered.Sequence);
        Assert.Equal(first.Timestamp + 3, late.Timestamp);
        Assert.False(rewriter.TryRewrite(1, 65_534, 0xFFFF_FFFE, 36, out _, out _)); // before the switch point
    }

    [Fact]
    public void Reordered_packets_newer_than_the_switch_point_map_in_place_older_ones_are_dropped()
    {
        var rewriter = new RtpStreamRewriter(Video);
        Forward(rewriter, 0, 10, 0, 0);
        var a = Forward(rewriter, 0, 12, 0, 1);
        var b = Forward(rewriter, 0, 11, 0, 2); // late, but newer than the first packet of the source
        Assert.Equal((ushort)(a.Sequence - 1), b.Sequence);
        Assert.Equal(a.Sequence, rewriter.LastSequenceNumber); // the newest stays the newest

        var start = Forward(rewriter, 1, 500, 90_000, 40);
        var ahead = Forward(rewriter, 1, 502, 93_000, 41);
        var between = Forward(rewriter, 1, 501, 90_000, 42);
        Assert.Equal((ushort)(start.Sequence + 2), ahead.Sequence);
        Assert.Equal((ushort)(start.Sequence + 1), between.Sequence);
        Assert.Equal(start.Timestamp + 3000, ahead.Timestamp);
        Assert.False(rewriter.TryRewrite(1, 499, 90_000, 43, out _, out _));
        Assert.Equal(ahead.Sequence, rewriter.LastSequenceNumber);
        Assert.Equal(ahead.Timestamp, rewriter.LastTimestamp);
    }

    [Fact]
    public void Duplicates_are_dropped_and_so_is_a_packet_too_late_for_the_history()
    {
        var rewriter = new RtpStreamRewriter(Video, historySize: 64);
        Forward(rewriter, 0, 10, 0, 0);
        Forward(rewriter, 0, 11, 0, 0);
        Assert.False(rewriter.TryRewrite(0, 11, 0, 0, out _, out _));
        Assert.False(rewriter.TryRewrite(0, 10, 0, 0, out _, out _));
        Forward(rewriter, 0, 13, 0, 0);
        Forward(rewriter, 0, 12, 0, 0); // late, not a duplicate
        Assert.False(rewriter.TryRewrite(0, 12, 0, 0, out _, out _));

        for (ushort sequence = 14; sequence < 100; sequence++) Forward(rewriter, 0, sequence, 0, 0);
        Assert.False(rewriter.TryRewrite(0, 30, 0, 0, out _, out _)); // duplicate, still in the history
        Assert.False(rewriter.TryRewrite(0, 20, 0, 0, out _, out _)); // 80 behind the newest: beyond the history
        Forward(rewriter, 0, 100, 0, 0);
    }

    [Fact]
    public void Lookups_name_the_source_packet_behind_an_outgoing_sequence_number()
    {
        var rewriter = new RtpStreamRewriter(Video, historySize: 16);
        var a = Forward(rewriter, 3, 1000, 111, 0);
        var b = Forward(rewriter, 3, 1002, 222, 1); // 1001 lost
        var c = Forward(rewriter, 7, 9, 333, 2);

        Assert.True(rewriter.TryLookup(a.Sequence, out int source, out ushort sequence, out uint timestamp));
        Assert.Equal((3, (ushort)1000, a.Timestamp), (source, sequence, timestamp));
        Assert.True(rewriter.TryLookup(b.Sequence, out source, out sequence, out timestamp));
        Assert.Equal((3, (ushort)1002, b.Timestamp), (source, sequence, timestamp));
        Assert.True(rewriter.TryLookup(c.Sequence, out source, out sequence, out timestamp));
        Assert.Equal((7, (ushort)9, c.Timestamp), (source, sequence, timestamp));
        Assert.False(rewriter.TryLookup((ushort)(a.Sequence + 1), out _, out _, out _)); // the lost one was never sent
        Assert.False(rewriter.TryLookup((ushort)(c.Sequence + 1), out _, out _, out _)); // not sent yet

        for (ushort i = 10; i < 30; i++) Forward(rewriter, 7, i, 444, 3);
        Assert.False(rewriter.TryLookup(a.Sequence, out _, out _, out _)); // out of the history
        Assert.True(rewriter.TryLookup(rewriter.LastSequenceNumber, out source, out sequence, out _));
        Assert.Equal((7, (ushort)29), (source, sequence));
        Assert.False(rewriter.TryLookup((ushort)(rewriter.LastSequenceNumber - 16), out _, out _, out _));
        Assert.True(rewriter.TryLookup((ushort)(rewriter.LastSequenceNumber - 15), out _, out sequence, out _));
        Assert.Equal(14, sequence);
    }

    [Fact]
    public void Sender_report_timestamps_map_with_the_current_source_offset()
    {
        var rewriter = new RtpStreamRewriter(Video);
        var a = Forward(rewriter, 0, 1, 10_000, 0);
        Assert.True(rewriter.TryMapTimestamp(0, 10_000 + 4500, out uint mapped));
        Assert.Equal(a.Timestamp + 4500, mapped);
        Assert.True(rewriter.TryMapTimestamp(0, 9_000, out mapped)); // an SR may lag the packets
        Assert.Equal(a.Timestamp - 1000, mapped);
        Assert.False(rewriter.TryMapTimestamp(1, 10_000, out _));

        var b = Forward(rewriter, 1, 1, 0xFFFF_FF00, 100);
        Assert.False(rewriter.TryMapTimestamp(0, 10_000, out _));
        Assert.True(rewriter.TryMapTimestamp(1, 0x0000_0100, out mapped)); // across the wrap
        Assert.Equal(b.Timestamp + 0x200, mapped);
    }

    [Fact]
    public void The_first_packet_gets_random_starting_values()
    {
        var starts = new HashSet<(ushort, uint)>();
        for (int i = 0; i < 20; i++) starts.Add(Forward(new RtpStreamRewriter(Video), 0, 1000, 5000, 0));
        Assert.True(starts.Count > 15);
    }

    [Fact]
    public void Rewriting_allocates_nothing()
    {
        var rewriter = new RtpStreamRewriter(Video);
        Forward(rewriter, 0, 0, 0, 0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i < 10_000; i++)
        {
            rewriter.TryRewrite(i / 1000, (ushort)i, (uint)i * 3000, i, out _, out _);
            rewriter.TryLookup((ushort)i, out _, out _, out _);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    /// <summary>
    /// A 30 frames/s VP8 simulcast as a browser sends it: three layers with their own random SSRC, sequence and timestamp
    /// bases, 90 kHz, 3000 ticks a frame, several packets a frame with the marker on the last, key frames now and then.
    /// Packets of one frame arrive layer after layer, 1 ms apart. The forwarder switches when the target layer's key
    /// frame starts (found by <see cref="KeyframeDetector"/> in the payload) and rewrites the headers in place.
    /// </summary>
    [Fact]
    public void A_simulcast_stream_switched_at_key_frames_comes_out_continuous()
    {
        var random = new Random(20);
        int[] packetsPerFrame = [2, 4, 8];
        int[] keyframePhase = [5, 20, 35]; // each layer sends a key frame every 45 frames
        var ssrcs = new uint[3];
        var sequences = new ushort[3];
        var timestampBases = new uint[3];
        for (int layer = 0; layer < 3; layer++)
        {
            ssrcs[layer] = (uint)random.NextInt64(1, uint.MaxValue);
            sequences[layer] = (ushort)random.Next(0x10000);
            timestampBases[layer] = (uint)random.NextInt64(0x1_0000_0000);
        }
        var targets = new Dictionary<int, int> { [0] = 0, [40] = 2, [130] = 1, [220] = 0, [300] = 2, [350] = 1 };

        var rewriter = new RtpStreamRewriter(Video);
        var packet = new byte[1200];
        var keyframe = Convert.FromHexString("90802A" + "1002009D012A8002E001" + "0011");
        var interframe = Convert.FromHexString("90802A" + "3102004455");
        var continuation = Convert.FromHexString("80802A" + "66778899");
        int current = -1, target = 0, switches = 0;
        var output = new List<(ushort Sequence, uint Timestamp, bool Marker, int Frame, long Time)>();
        for (int frame = 0; frame < 400; frame++)
        {
            if (targets.TryGetValue(frame, out int next)) target = next;
            long frameTime = 10_000 + frame * 1000L / 30;
            for (int layer = 0; layer < 3; layer++)
            {
                bool isKeyframe = frame % 45 == keyframePhase[layer];
                for (int i = 0; i < packetsPerFrame[layer]; i++)
                {
                    long now = frameTime + layer;
                    byte[] payload = i > 0 ? continuation : isKeyframe ? keyframe : interframe;
                    bool marker = i == packetsPerFrame[layer] - 1;
                    int length = RtpPacketWriter.Write(packet, marker, 96, sequences[layer]++, timestampBases[layer] + (uint)frame * 3000,
                        ssrcs[layer], [], payload);

                    Assert.True(RtpPacket.TryParse(packet.AsSpan(0, length), out var rtp));
                    if (layer != current && !(layer == target && KeyframeDetector.IsKeyframeStart(VideoCodec.Vp8, rtp.Payload))) continue;
                    if (layer != current)
                    {
                        current = layer;
                        switches++;
                    }
                    Assert.True(rewriter.TryRewrite(layer, rtp.SequenceNumber, rtp.Timestamp, now, out ushort outSequence, out uint outTimestamp));
                    RtpHeaderRewriter.SetSequenceNumber(packet, outSequence);
                    RtpHeaderRewriter.SetTimestamp(packet, outTimestamp);
                    RtpHeaderRewriter.SetSsrc(packet, 0xABCD);
                    Assert.True(RtpPacket.TryParse(packet.AsSpan(0, length), out rtp));
                    output.Add((rtp.SequenceNumber, rtp.Timestamp, rtp.Marker, frame, now));
                }
            }
        }

        Assert.Equal(6, switches); // the first layer, then each of the five targets at its next key frame
        int resentFrames = 0;
        for (int i = 1; i < output.Count; i++)
        {
            var (previous, packetNow) = (output[i - 1], output[i]);
            Assert.Equal((ushort)(previous.Sequence + 1), packetNow.Sequence);
            uint delta = packetNow.Timestamp - previous.Timestamp;
            Assert.True(delta < 0x8000_0000, $"timestamp went back at packet {i}");
            if (delta == 0)
            {
                Assert.False(previous.Marker); // the same frame
                continue;
            }
            Assert.True(previous.Marker, $"a frame was cut at packet {i}");
            if (packetNow.Frame == previous.Frame + 1)
                Assert.InRange(delta, 2700u, 3300u); // next frame, on the same layer or after a switch down
            else
            {
                // A switch up: the lower layer had sent this frame already, the higher one sends it again, the
                // wall time later.
                Assert.Equal(previous.Frame, packetNow.Frame);
                Assert.Equal((uint)Math.Max(1, (packetNow.Time - previous.Time) * 90), delta);
                resentFrames++;
            }
        }
        Assert.Equal(2, resentFrames);
        // Over the whole run the outgoing timestamps keep pace with the frames' capture times.
        uint span = output[^1].Timestamp - output[0].Timestamp;
        uint frames = (uint)(output[^1].Frame - output[0].Frame);
        Assert.InRange(span, frames * 3000 - 3000, frames * 3000 + 3000);
    }
}
