using Switchboard.Protocols.Containers;
using Switchboard.Protocols.Containers.Mp4;

namespace Switchboard.Protocols.Tests.Containers;

/// <summary>Gaps in audio, a resolution change in video, and times that run backwards, played back with ffmpeg.</summary>
[Collection(FfmpegCollection.Name)]
public class TimelineTests(EncodedClips clips)
{
    static readonly TrackFormat Opus = new(RecordingCodec.Opus, 48000);

    [Fact]
    public void A_two_second_gap_in_opus_times_stays_in_the_ogg_file_as_silence()
    {
        var packets = clips.Opus();
        var withGap = packets.Where(packet => packet.Time < TimeSpan.FromSeconds(1) || packet.Time >= TimeSpan.FromSeconds(3)).ToList();
        string file = Recording.Save(clips, Recording.Record(Opus, ContainerChoice.Ogg, withGap), Opus, ContainerChoice.Ogg);

        Assert.Equal("", FfmpegTool.DecodeErrors(file));
        var probe = FfmpegTool.Probe(file);
        Assert.InRange(probe.Duration, 4 * 0.98, 4 * 1.02);
        Assert.Equal(packets.Count, probe.Frames); // 100 silence packets of 20 ms stand for the 100 missing
    }

    [Fact]
    public void A_lost_packet_and_a_gap_that_is_no_whole_number_of_packets_are_filled_to_the_nearest_packet()
    {
        var packets = clips.Opus();
        // One packet lost at 0.5 s: one silence packet, not none (everything after 20 ms early). Then 1.999 s missing:
        // 100 silence packets (the packet after 1 ms late), not 99 (19 ms early).
        var withGaps = packets.Where(packet => packet.Time < TimeSpan.FromSeconds(1) && packet.Time != TimeSpan.FromSeconds(0.5))
            .Concat(packets.Where(packet => packet.Time >= TimeSpan.FromSeconds(3)).Select(packet => packet with { Time = packet.Time - TimeSpan.FromMilliseconds(1) }))
            .ToList();
        string file = Recording.Save(clips, Recording.Record(Opus, ContainerChoice.Ogg, withGaps), Opus, ContainerChoice.Ogg);

        Assert.Equal(packets.Count, FfmpegTool.Probe(file).Frames);
    }

    [Fact]
    public void A_resolution_change_in_vp8_plays_through_in_one_webm_file()
    {
        var small = clips.Video(RecordingCodec.Vp8, 320, 240, 4).Take(60);
        var large = clips.Video(RecordingCodec.Vp8, 640, 480, 2).Select(frame => frame with { Time = frame.Time + TimeSpan.FromSeconds(2) });
        var frames = small.Concat(large).ToList();
        var format = new TrackFormat(RecordingCodec.Vp8, 90000);
        string file = Recording.Save(clips, Recording.Record(format, ContainerChoice.Default, frames), format, ContainerChoice.Default);

        Assert.Equal("", FfmpegTool.DecodeErrors(file));
        var probe = FfmpegTool.Probe(file);
        Assert.Equal(frames.Count, probe.Frames);
        Assert.Equal((320, 240), (probe.Width, probe.Height)); // the track header keeps the first key frame's size
    }

    [Fact]
    public void An_h264_resolution_change_asks_for_a_new_mp4_file_and_both_files_play()
    {
        var small = clips.Video(RecordingCodec.H264, 320, 240, 4).Take(60).ToList();
        var large = clips.Video(RecordingCodec.H264, 640, 480, 2).Select(frame => frame with { Time = frame.Time + TimeSpan.FromSeconds(2) }).ToList();
        var format = new TrackFormat(RecordingCodec.H264, 90000);
        var files = new List<MemoryStream> { new() };
        var writer = new FragmentedMp4Writer(format, files[0]);
        foreach (var frame in small.Concat(large))
        {
            if (writer.NeedsNewFile(frame))
            {
                Assert.Equal(large[0], frame);
                writer.Finish();
                files.Add(new MemoryStream());
                writer = new FragmentedMp4Writer(format, files[^1]);
            }
            writer.Write(frame);
        }
        writer.Finish();

        Assert.Equal(2, files.Count);
        var first = FfmpegTool.Probe(Recording.Save(clips, files[0].ToArray(), format, ContainerChoice.Mp4));
        var second = FfmpegTool.Probe(Recording.Save(clips, files[1].ToArray(), format, ContainerChoice.Mp4));
        Assert.Equal((320, 240, 60), (first.Width, first.Height, first.Frames));
        Assert.Equal((640, 480, large.Count), (second.Width, second.Height, second.Frames));
    }

    [Theory]
    [InlineData(RecordingCodec.Vp8)]
    [InlineData(RecordingCodec.H264)]
    public void Times_that_run_backwards_are_clamped_and_every_frame_still_plays(RecordingCodec codec)
    {
        var frames = clips.Video(codec).ToList();
        for (int i = 10; i < frames.Count; i += 7) frames[i] = frames[i] with { Time = frames[i].Time - TimeSpan.FromMilliseconds(200) };
        var format = new TrackFormat(codec, 90000);
        using var stream = new MemoryStream();
        var writer = ContainerWriters.Create(format, stream, ContainerChoice.Matroska);
        foreach (var frame in frames) writer.Write(frame);
        writer.Finish();

        Assert.Equal(0, writer.DroppedSamples);
        string file = Recording.Save(clips, stream.ToArray(), format, ContainerChoice.Matroska);
        Assert.Equal("", FfmpegTool.DecodeErrors(file));
        Assert.Equal(frames.Count, FfmpegTool.Probe(file).Frames);
    }
}
