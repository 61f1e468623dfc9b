using Switchboard.Protocols.Rtp.Depacketization;

namespace Switchboard.Protocols.Tests.Rtp.Depacketization;

/// <summary>
/// The assembler against real packetizers: ffmpeg's encoders and RTP muxer (VP8, VP9, H.264, Opus) and a packetizer
/// after the AV1 RTP specification (<see cref="Av1Packetizer"/>), compared byte for byte with the encoder's own frames,
/// decoded by ffmpeg, and then with the packets reordered, duplicated, lost and retransmitted.
/// </summary>
public class FrameAssemblerFfmpegTests
{
    public static readonly TheoryData<FrameCodec> Codecs = [FrameCodec.Vp8, FrameCodec.Vp9, FrameCodec.H264, FrameCodec.Av1, FrameCodec.Opus];
    public static readonly TheoryData<FrameCodec> VideoCodecs = [FrameCodec.Vp8, FrameCodec.Vp9, FrameCodec.H264, FrameCodec.Av1];

    /// <summary>Delivers each packet at its time, taking what is ready after each; then once more 10 s later.</summary>
    static (List<EncodedFrame> Frames, bool KeyframeRequested) Deliver(FrameAssembler assembler, IEnumerable<(TimeSpan At, byte[] Packet)> schedule)
    {
        var frames = new List<EncodedFrame>();
        bool requested = false;
        TimeSpan last = TimeSpan.Zero;
        foreach (var (at, packet) in schedule.OrderBy(p => p.At))
        {
            assembler.Push(packet, at);
            assembler.TakeReady(at, frames);
            requested |= assembler.TakeKeyframeRequest();
            last = at;
        }
        assembler.TakeReady(last + TimeSpan.FromSeconds(10), frames);
        requested |= assembler.TakeKeyframeRequest();
        return (frames, requested);
    }

    static IEnumerable<(TimeSpan, byte[])> InOrder(List<byte[]> packets) => packets.Select((p, i) => (TimeSpan.FromMilliseconds(2 * i), p));

    /// <summary>Every frame is a reference frame, in order; returns their reference indices.</summary>
    static List<int> Match(RecordedStream stream, List<EncodedFrame> frames)
    {
        var indices = new List<int>();
        int last = -1;
        foreach (var frame in frames)
        {
            int index = stream.IndexOf(frame, last);
            Assert.True(index >= 0, $"frame {indices.Count} (timestamp {frame.Timestamp}, {frame.Data.Length} bytes) is not a reference frame after frame {last}");
            Assert.Equal(stream.ReferenceKeyframes[index], frame.IsKeyframe);
            indices.Add(index);
            last = index;
        }
        return indices;
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Packets_in_order_give_back_every_frame_of_the_encoder_byte_for_byte(FrameCodec codec)
    {
        var stream = RecordedStream.Of(codec);
        var assembler = new FrameAssembler(codec);
        var (frames, requested) = Deliver(assembler, InOrder(stream.Packets));

        Assert.Equal(stream.Reference.Count, frames.Count);
        Assert.Equal(Enumerable.Range(0, frames.Count), Match(stream, frames));
        Assert.False(requested);
        Assert.Equal(0, assembler.FramesDropped);
        Assert.Equal(0, assembler.PacketsDiscarded);
        Assert.Equal(0, assembler.PendingPackets);
        Assert.True(frames[0].IsKeyframe);
        Assert.Equal(RecordedStream.Timestamp(stream.Packets[0]), frames[0].Timestamp);
        Assert.All(frames.Zip(frames.Skip(1)), pair => Assert.True(pair.Second.Timestamp > pair.First.Timestamp));
        if (codec != FrameCodec.Opus)
        {
            Assert.True(frames.Count(f => f.IsKeyframe) >= 3);
            Assert.All(frames.Where(f => f.IsKeyframe), f => Assert.Equal((RecordedStream.Width, RecordedStream.Height), (f.Width, f.Height)));
        }
    }

    [Theory]
    [MemberData(nameof(VideoCodecs))]
    public void The_assembled_frames_decode_without_errors(FrameCodec codec)
    {
        var stream = RecordedStream.Of(codec);
        var (frames, _) = Deliver(new FrameAssembler(codec), InOrder(stream.Packets));
        string file = Path.Combine(stream.Folder, $"assembled-{codec}");
        if (codec == FrameCodec.H264) File.WriteAllBytes(file, frames.SelectMany(f => f.Data).ToArray());
        else Ffmpeg.WriteIvf(file, codec switch { FrameCodec.Vp8 => "VP80", FrameCodec.Vp9 => "VP90", _ => "AV01" }, RecordedStream.Width, RecordedStream.Height,
            frames.Select(f => f.Data).ToList());
        Assert.Equal("", Ffmpeg.Decode(file, "-f", codec == FrameCodec.H264 ? "h264" : "ivf"));
    }

    [Fact]
    public void H264_key_frames_without_parameter_sets_in_band_get_the_last_ones_in_front_and_decode_alone()
    {
        var stream = RecordedStream.Of(FrameCodec.H264);
        // The parameter sets only in the first access unit: later key frames lose the STAP-A that carries them.
        uint firstTimestamp = RecordedStream.Timestamp(stream.Packets[0]);
        var packets = stream.Packets.Where(p => RecordedStream.Timestamp(p) == firstTimestamp || !IsParameterSetAggregate(p)).ToList();
        for (int i = 0; i < packets.Count; i++)
        {
            packets[i] = (byte[])packets[i].Clone();
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(packets[i].AsSpan(2), (ushort)(1000 + i));
        }
        Assert.True(packets.Count < stream.Packets.Count, "the stream repeats its parameter sets in a STAP-A of their own");
        var (frames, _) = Deliver(new FrameAssembler(FrameCodec.H264), InOrder(packets));

        Assert.Equal(Enumerable.Range(0, stream.Reference.Count), Match(stream, frames));
        var laterKeyframes = frames.Where(f => f.IsKeyframe).Skip(1).ToList();
        Assert.NotEmpty(laterKeyframes);
        foreach (var keyframe in laterKeyframes)
        {
            Assert.Equal([7, 8, 5], RecordedStream.SplitAnnexB(keyframe.Data).Select(nal => nal[0] & 0x1F).Take(3));
            string file = Path.Combine(stream.Folder, "keyframe-alone.h264");
            File.WriteAllBytes(file, keyframe.Data);
            Assert.Equal("", Ffmpeg.Decode(file, "-f", "h264"));
        }
    }

    /// <summary>RFC 6184 §5.7.1: a STAP-A (type 24) of exactly an SPS and a PPS, each after its 16-bit size.</summary>
    static bool IsParameterSetAggregate(byte[] packet)
    {
        if ((packet[12] & 0x1F) != 24) return false;
        int spsSize = (packet[13] << 8) | packet[14];
        return (packet[15] & 0x1F) == 7 && (packet[15 + spsSize + 2] & 0x1F) == 8 && 15 + spsSize + 2 + ((packet[15 + spsSize] << 8) | packet[16 + spsSize]) == packet.Length;
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Reordered_duplicated_and_lost_packets_repaired_within_the_wait_lose_no_frame(FrameCodec codec)
    {
        var stream = RecordedStream.Of(codec);
        var random = new Random(7);
        var schedule = new List<(TimeSpan, byte[])>();
        for (int i = 0; i < stream.Packets.Count; i++)
        {
            var packet = stream.Packets[i];
            double at = 2 * i + random.NextDouble() * 15; // reordered within a few packets
            if (i > 0 && random.NextDouble() < 0.05) at += 200; // lost, then retransmitted on a NACK
            schedule.Add((TimeSpan.FromMilliseconds(at), packet));
            if (random.NextDouble() < 0.03) schedule.Add((TimeSpan.FromMilliseconds(at + random.NextDouble() * 300), packet));
        }
        var assembler = new FrameAssembler(codec);
        var (frames, requested) = Deliver(assembler, schedule);

        Assert.Equal(Enumerable.Range(0, stream.Reference.Count), Match(stream, frames));
        Assert.False(requested);
        Assert.Equal(0, assembler.FramesDropped);
        Assert.True(assembler.PacketsDiscarded > 0); // the duplicates
    }

    [Theory]
    [MemberData(nameof(VideoCodecs))]
    public void A_packet_never_repaired_drops_exactly_the_frames_until_the_next_key_frame_and_asks_for_one(FrameCodec codec)
    {
        var stream = RecordedStream.Of(codec);
        // The last packet of a frame of several packets, some frames into the first group of pictures.
        var frameStarts = new List<int> { 0 };
        for (int i = 1; i < stream.Packets.Count; i++)
            if (RecordedStream.Timestamp(stream.Packets[i]) != RecordedStream.Timestamp(stream.Packets[i - 1])) frameStarts.Add(i);
        int frame = Enumerable.Range(5, 20).First(f => frameStarts[f + 1] - frameStarts[f] >= 2);
        int lost = frameStarts[frame + 1] - 1;
        int nextKeyframe = stream.ReferenceKeyframes.IndexOf(true, frame + 1);

        var random = new Random(11);
        var schedule = stream.Packets.Select((p, i) => (TimeSpan.FromMilliseconds(2 * i + random.NextDouble() * 15), p)).Where((_, i) => i != lost);
        var assembler = new FrameAssembler(codec);
        var (frames, requested) = Deliver(assembler, schedule);

        var expected = Enumerable.Range(0, stream.Reference.Count).Where(i => i < frame || i >= nextKeyframe);
        Assert.Equal(expected, Match(stream, frames));
        Assert.True(requested);
        Assert.Equal(nextKeyframe - frame, assembler.FramesDropped);
    }

    [Theory]
    [MemberData(nameof(VideoCodecs))]
    public void A_stream_joined_between_key_frames_starts_at_the_next_key_frame_and_asks_for_one_at_once(FrameCodec codec)
    {
        var stream = RecordedStream.Of(codec);
        int firstPacket = stream.Packets.Count / 6;
        var assembler = new FrameAssembler(codec);
        assembler.Push(stream.Packets[firstPacket], TimeSpan.Zero);
        Assert.True(assembler.TakeKeyframeRequest());
        var (frames, _) = Deliver(assembler, InOrder(stream.Packets).Skip(firstPacket + 1));

        Assert.True(frames[0].IsKeyframe);
        Assert.Equal(stream.ReferenceKeyframes.IndexOf(true, 1), Match(stream, frames)[0]);
    }

    [Fact]
    public void A_lost_opus_packet_is_a_gap_without_a_key_frame_request()
    {
        var stream = RecordedStream.Of(FrameCodec.Opus);
        var assembler = new FrameAssembler(FrameCodec.Opus);
        var (frames, requested) = Deliver(assembler, InOrder(stream.Packets).Where((_, i) => i != 20));

        Assert.Equal(Enumerable.Range(0, stream.Reference.Count).Where(i => i != 20), Match(stream, frames));
        Assert.False(requested);
        Assert.Equal(frames[19].Timestamp + 2 * 960, frames[20].Timestamp); // 20 ms frames at 48 kHz
    }
}
