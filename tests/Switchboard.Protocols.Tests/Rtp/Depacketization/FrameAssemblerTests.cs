using System.Buffers.Binary;
using Switchboard.Protocols.Codecs;
using Switchboard.Protocols.Rtp.Depacketization;

namespace Switchboard.Protocols.Tests.Rtp.Depacketization;

/// <summary>
/// Hand-built packets for the payload formats' edge cases (AV1 aggregation headers, H.264 aggregation and fragmentation
/// units), a stream that restarts, the assembler's bounds, and hostile input for every codec.
/// </summary>
public class FrameAssemblerTests
{
    static readonly TimeSpan Later = TimeSpan.FromSeconds(10);

    // AV1 §5.3: OBU headers without size fields. A sequence header for 320x240 (§5.5.1: seq_profile 0, still_picture
    // and reduced_still_picture_header 1, seq_level_idx 0, frame_width_bits_minus_1 and frame_height_bits_minus_1 15,
    // max_frame_width_minus_1 319, max_frame_height_minus_1 239).
    static readonly byte[] SequenceHeaderObu = [0x08, .. Convert.FromHexString("183FC04FC03BC0")];
    static readonly byte[] FrameObu = [0x30, 0x10, 0x20, 0x30, 0x40, 0x50]; // OBU_FRAME
    static readonly byte[] TemporalDelimiterObu = [0x10];

    static byte[] Packet(ushort sequence, uint timestamp, bool marker, byte[] payload) => Av1Packetizer.Rtp(sequence, timestamp, marker, payload);

    static List<EncodedFrame> Assemble(FrameCodec codec, params byte[][] packets) => Assemble(new FrameAssembler(codec), packets);

    static List<EncodedFrame> Assemble(FrameAssembler assembler, params byte[][] packets)
    {
        var frames = new List<EncodedFrame>();
        foreach (var packet in packets) assembler.Push(packet, TimeSpan.Zero);
        assembler.TakeReady(Later, frames);
        return frames;
    }

    static byte[] WithSize(byte[] obu) => [(byte)(obu[0] | 0x02), .. Av1Packetizer.Leb128((uint)(obu.Length - 1)), .. obu[1..]];

    [Fact]
    public void Av1_elements_with_and_without_lengths_become_one_temporal_unit_without_its_delimiter()
    {
        // W=3: temporal delimiter and sequence header with lengths, the frame OBU without; N: a new coded video sequence.
        byte[] payload = [0x38, .. Av1Packetizer.Leb128(1), .. TemporalDelimiterObu, .. Av1Packetizer.Leb128((uint)SequenceHeaderObu.Length), .. SequenceHeaderObu, .. FrameObu];
        var frame = Assert.Single(Assemble(FrameCodec.Av1, Packet(1, 3000, true, payload)));

        Assert.Equal([.. WithSize(SequenceHeaderObu), .. WithSize(FrameObu)], frame.Data);
        Assert.True(frame.IsKeyframe);
        Assert.Equal((320, 240), (frame.Width, frame.Height));
    }

    [Fact]
    public void An_av1_obu_fragmented_over_three_packets_is_joined_and_one_with_its_own_size_field_keeps_it()
    {
        byte[] large = WithSize([0x30, .. Enumerable.Range(0, 500).Select(i => (byte)i)]);
        var packets = new[]
        {
            // N Y W=2: the sequence header after its length, then the start of the large OBU without one.
            Packet(1, 3000, false, [0x08 | 0x40 | 0x20, .. Av1Packetizer.Leb128((uint)SequenceHeaderObu.Length), .. SequenceHeaderObu, .. large[..100]]),
            Packet(2, 3000, false, [0x80 | 0x40 | 0x10, .. large[100..300]]), // Z Y W=1: a middle fragment
            Packet(3, 3000, true, [0x80, .. Av1Packetizer.Leb128((uint)(large.Length - 300)), .. large[300..]]), // Z W=0: the end, with a length
        };

        var frame = Assert.Single(Assemble(FrameCodec.Av1, packets));
        Assert.Equal([.. WithSize(SequenceHeaderObu), .. large], frame.Data);
    }

    [Theory]
    [InlineData("80" + "0530AABBCCDD", "a continuation (Z) without the start of its OBU")]
    [InlineData("10" + "FFFFFFFFFFFFFFFFFF01" + "30", "an element length of nine LEB128 octets")]
    [InlineData("00" + "0A" + "30AABB", "an element length past the packet")]
    [InlineData("50" + "30AABB", "Y on the frame's last packet: the OBU never ends")]
    [InlineData("10" + "B0AABB", "the OBU header's forbidden bit")]
    [InlineData("10" + "32" + "05" + "AABB", "an obu_size past the element")]
    [InlineData("00", "an aggregation header alone")]
    public void A_malformed_av1_frame_is_dropped_and_a_key_frame_asked_for(string hex, string what)
    {
        var assembler = new FrameAssembler(FrameCodec.Av1);
        byte[] keyframe = [0x28, .. Av1Packetizer.Leb128((uint)SequenceHeaderObu.Length), .. SequenceHeaderObu, .. FrameObu];
        var frames = Assemble(assembler, Packet(1, 3000, true, keyframe), Packet(2, 6000, true, Convert.FromHexString(hex)));

        Assert.True(Assert.Single(frames).IsKeyframe);
        Assert.Equal(1, assembler.FramesDropped);
        Assert.True(assembler.TakeKeyframeRequest(), what);
    }

    [Fact]
    public void H264_single_nal_units_stap_a_and_fu_a_make_one_annex_b_access_unit()
    {
        byte[] sps = Convert.FromHexString("6764000DACB40A0FD808800000030080000" + "01E078A1550"), pps = Convert.FromHexString("68EF0FCB");
        byte[] idr = [0x65, 0x88, .. Enumerable.Range(0, 40).Select(i => (byte)(i + 1))];
        var frame = Assert.Single(Assemble(FrameCodec.H264,
            Packet(2, 3000, false, [0x78, 0, (byte)sps.Length, .. sps, 0, (byte)pps.Length, .. pps]),
            Packet(3, 3000, false, [0x7C, 0x85, .. idr[1..20]]), // FU-A: F/NRI of the indicator, type 5 from the header, S
            Packet(4, 3000, true, [0x7C, 0x45, .. idr[20..]]))); // E

        Assert.Equal(RecordedStream.AnnexB([sps, pps, idr]), frame.Data);
        Assert.True(frame.IsKeyframe);
        Assert.Equal((320, 240), (frame.Width, frame.Height));
    }

    [Theory]
    [InlineData("7C05AABB", "an FU-A fragment without its start")]
    [InlineData("7C85AABB|7C85CCDD", "an FU-A start while another is open")]
    [InlineData("7C85AABB", "an FU-A never ended")]
    [InlineData("7C85AABB|7C41CCDD", "an FU-A continued with another type")]
    [InlineData("78" + "0010" + "6588", "a STAP-A length past the packet")]
    [InlineData("78" + "0000", "a STAP-A of an empty NAL unit")]
    [InlineData("7A" + "0002" + "6588", "an MTAP, not in packetization mode 1")]
    [InlineData("", "an empty payload")]
    public void A_malformed_h264_access_unit_is_not_emitted(string packets, string what)
    {
        var assembler = new FrameAssembler(FrameCodec.H264);
        var parts = packets.Split('|');
        var rtp = parts.Select((hex, i) => Packet((ushort)(1 + i), 3000, i == parts.Length - 1, Convert.FromHexString(hex))).ToArray();
        Assert.Empty(Assemble(assembler, rtp));
        Assert.True(assembler.FramesDropped + assembler.PacketsDiscarded > 0, what);
    }

    [Fact]
    public void A_high_444_sps_with_scaling_lists_and_cropping_gives_the_picture_size()
    {
        string folder = Directory.CreateTempSubdirectory("depacketization-sps-").FullName;
        string file = Path.Combine(folder, "high444.h264");
        Ffmpeg.Run("-v", "error", "-f", "lavfi", "-i", "testsrc2=size=318x238:rate=30", "-frames:v", "3", "-c:v", "libx264", "-pix_fmt", "yuv444p",
            "-x264-params", "cqm=jvt", "-f", "h264", file);
        var sps = RecordedStream.SplitAnnexB(File.ReadAllBytes(file)).First(nal => (nal[0] & 0x1F) == 7);
        Assert.Equal(244, sps[1]); // High 4:4:4 Predictive
        Assert.True(H264SequenceParameterSet.TryParse(sps, out var parsed));
        Assert.Equal((244, 318, 238), (parsed.Profile, parsed.Width, parsed.Height));
        var frames = Assemble(FrameCodec.H264, [.. Ffmpeg.Packetize(file, 1200, "-framerate", "30")]);
        Assert.Equal((318, 238), (frames[0].Width, frames[0].Height));
    }

    [Fact]
    public void A_sequence_number_jump_restarts_on_a_key_frame_with_the_timestamps_running_on()
    {
        var stream = RecordedStream.Of(FrameCodec.Vp8);
        var assembler = new FrameAssembler(FrameCodec.Vp8);
        var frames = new List<EncodedFrame>();
        int half = stream.Packets.Count / 2;
        for (int i = 0; i < stream.Packets.Count; i++)
        {
            var packet = (byte[])stream.Packets[i].Clone();
            var at = TimeSpan.FromMilliseconds(10 * i);
            if (i >= half)
            {
                // The publisher connected again: sequence numbers 20000 further, timestamps elsewhere, a second later.
                BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)(RecordedStream.Sequence(packet) + 20000));
                BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), RecordedStream.Timestamp(packet) - 0x7000_0000);
                at += TimeSpan.FromSeconds(1);
            }
            assembler.Push(packet, at);
            assembler.TakeReady(at, frames);
        }
        assembler.TakeReady(Later, frames);

        int halfFrame = stream.Packets.Take(half + 1).Select(RecordedStream.Timestamp).Distinct().Count() - 1;
        var indices = frames.Select(f => stream.IndexOf(f, -1)).ToList();
        Assert.DoesNotContain(-1, indices);
        int restart = indices.FindIndex(i => i >= halfFrame);
        Assert.True(restart > 0);
        Assert.True(frames[restart].IsKeyframe);
        Assert.All(frames.Zip(frames.Skip(1)), pair => Assert.True(pair.Second.Timestamp > pair.First.Timestamp));
        // The new stream's timestamps are placed after the old one's by the time between the frames' arrivals (at least
        // the second the publisher was away), not by the RTP timestamps, which jumped.
        long gap = frames[restart].Timestamp - frames[restart - 1].Timestamp;
        Assert.InRange(gap, 90_000, 200_000);
    }

    [Fact]
    public void The_packets_held_never_exceed_the_bound_and_the_oldest_frame_is_dropped()
    {
        var stream = RecordedStream.Of(FrameCodec.Vp8);
        var assembler = new FrameAssembler(FrameCodec.Vp8, TimeSpan.FromHours(1), maxPendingPackets: 16);
        var frames = new List<EncodedFrame>();
        for (int i = 0; i < stream.Packets.Count; i++)
        {
            if (i == 10) continue; // never repaired, and the wait is long: only the bound lets the stream go on
            assembler.Push(stream.Packets[i], TimeSpan.FromMilliseconds(i));
            assembler.TakeReady(TimeSpan.FromMilliseconds(i), frames);
            Assert.InRange(assembler.PendingPackets, 0, 16);
        }
        Assert.True(assembler.FramesDropped > 0);
        Assert.True(frames.Count > 30);
        int last = -1;
        foreach (var frame in frames) Assert.True((last = stream.IndexOf(frame, last)) >= 0);
    }

    [Theory]
    [InlineData(FrameCodec.Vp8)]
    [InlineData(FrameCodec.Vp9)]
    [InlineData(FrameCodec.H264)]
    [InlineData(FrameCodec.Av1)]
    [InlineData(FrameCodec.Opus)]
    public void Mutated_truncated_and_random_packets_never_throw_and_stay_bounded(FrameCodec codec)
    {
        var stream = RecordedStream.Of(codec);
        var random = new Random(1234 + (int)codec);
        var frames = new List<EncodedFrame>();
        var assembler = new FrameAssembler(codec, TimeSpan.FromMilliseconds(50), maxPendingPackets: 64);
        for (int round = 0; round < 4000; round++)
        {
            var packet = (byte[])stream.Packets[round % stream.Packets.Count].Clone();
            switch (random.Next(6))
            {
                case 0: packet[12 + random.Next(packet.Length - 12)] ^= (byte)(1 << random.Next(8)); break;
                case 1: packet = packet[..random.Next(packet.Length + 1)]; break;
                case 2: random.NextBytes(packet.AsSpan(12, Math.Min(8, packet.Length - 12))); break;
                case 3: packet = [.. packet[..12], .. Enumerable.Range(0, random.Next(40)).Select(_ => (byte)random.Next(256))]; break;
                case 4: packet[1] ^= 0x80; break; // the marker bit
                default: break;
            }
            var now = TimeSpan.FromMilliseconds(3 * round);
            assembler.Push(packet, now);
            assembler.TakeReady(now, frames);
            assembler.TakeKeyframeRequest();
            Assert.InRange(assembler.PendingPackets, 0, 64);
        }
        assembler.TakeReady(TimeSpan.FromHours(1), frames);
        Assert.Equal(0, assembler.PendingPackets);
        Assert.All(frames.Zip(frames.Skip(1)), pair => Assert.True(pair.Second.Timestamp >= pair.First.Timestamp));
    }
}
