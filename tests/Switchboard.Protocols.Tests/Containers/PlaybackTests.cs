using Switchboard.Protocols.Containers;

namespace Switchboard.Protocols.Tests.Containers;

/// <summary>Files written from real encoded streams, checked with ffprobe and ffmpeg as a user would play them.</summary>
[Collection(FfmpegCollection.Name)]
public class PlaybackTests(EncodedClips clips)
{
    public static TheoryData<RecordingCodec, ContainerChoice> Cases => new()
    {
        { RecordingCodec.Vp8, ContainerChoice.Default },
        { RecordingCodec.Vp9, ContainerChoice.Default },
        { RecordingCodec.Av1, ContainerChoice.Default },
        { RecordingCodec.H264, ContainerChoice.Default },
        { RecordingCodec.H264, ContainerChoice.Matroska },
        { RecordingCodec.Opus, ContainerChoice.Default },
        { RecordingCodec.Opus, ContainerChoice.Matroska },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_finished_file_plays_every_frame_with_the_codec_size_and_duration_of_the_input(RecordingCodec codec, ContainerChoice choice)
    {
        var samples = Recording.Clip(clips, codec);
        var format = new TrackFormat(codec, codec == RecordingCodec.Opus ? 48000 : 90000);
        string file = Recording.Save(clips, Recording.Record(format, choice, samples), format, choice);

        Assert.Equal("", FfmpegTool.DecodeErrors(file));
        var probe = FfmpegTool.Probe(file);
        Assert.Equal(Recording.CodecName(codec), probe.Codec);
        if (format.IsVideo) Assert.Equal((320, 240), (probe.Width, probe.Height));
        Assert.Equal(samples.Count, probe.Frames);
        double expected = Recording.Duration(samples, codec);
        Assert.InRange(probe.Duration, expected * 0.98, expected * 1.02);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_copy_taken_right_after_a_flush_plays_everything_written_before_it(RecordingCodec codec, ContainerChoice choice)
    {
        var samples = Recording.Clip(clips, codec);
        var format = new TrackFormat(codec, codec == RecordingCodec.Opus ? 48000 : 90000);
        using var stream = new MemoryStream();
        var writer = ContainerWriters.Create(format, stream, choice);
        var beforeFlush = samples.Where(sample => sample.Time < TimeSpan.FromSeconds(2.5)).ToList();
        foreach (var sample in beforeFlush) writer.Write(sample);
        writer.Flush();
        Assert.Equal(stream.Length, writer.Length);
        string file = Recording.Save(clips, stream.ToArray(), format, choice);
        foreach (var sample in samples.Skip(beforeFlush.Count)) writer.Write(sample); // the recording goes on; the copy is what a crash leaves

        Assert.Equal("", FfmpegTool.DecodeErrors(file));
        Assert.Equal(beforeFlush.Count, FfmpegTool.Probe(file).Frames);
        Assert.Equal(beforeFlush[^1].Time.TotalSeconds, FfmpegTool.LastPacketTime(file), 0.002);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_file_cut_at_a_random_byte_of_its_last_cluster_plays_up_to_the_cluster_before(RecordingCodec codec, ContainerChoice choice)
    {
        var samples = Recording.Clip(clips, codec);
        var format = new TrackFormat(codec, codec == RecordingCodec.Opus ? 48000 : 90000);
        using var stream = new MemoryStream();
        var writer = ContainerWriters.Create(format, stream, choice);
        var boundaries = new List<(long Length, int Samples)>(); // where the stream grew: a cluster, page or fragment written
        for (int i = 0; i < samples.Count; i++)
        {
            long before = stream.Length;
            writer.Write(samples[i]);
            if (stream.Length != before) boundaries.Add((stream.Length, i));
        }
        Assert.True(boundaries.Count >= 3, $"only {boundaries.Count} clusters in 4 s");
        var (completeLength, completeSamples) = boundaries[^2];
        long cut = completeLength + 1 + Random.Shared.NextInt64(boundaries[^1].Length - completeLength - 1);
        string file = Recording.Save(clips, stream.ToArray()[..(int)cut], format, choice);

        Assert.InRange(FfmpegTool.Probe(file).Frames, completeSamples, boundaries[^1].Samples);
        double complete = samples[completeSamples - 1].Time.TotalSeconds;
        Assert.InRange(FfmpegTool.LastPacketTime(file), complete - 0.002, samples[boundaries[^1].Samples].Time.TotalSeconds);
        // Up to the last complete cluster, nothing but the demuxer's notice that the file was cut (Matroska: "File ended
        // prematurely", MP4: "partial file"); the frame cut in two is past that point. ffmpeg's H.264 parser reads a packet
        // ahead of where decoding stops, and in MP4 that may be the torn one (whose size the complete moof states), so
        // there decoding stops half a second earlier.
        double decoded = format.Codec == RecordingCodec.H264 && ContainerWriters.FileExtension(format, choice) == ".mp4" ? complete - 0.5 : complete;
        var errors = FfmpegTool.DecodeErrors(file, seconds: decoded).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.Contains("File ended prematurely", StringComparison.Ordinal) && !line.Contains("partial file", StringComparison.Ordinal));
        Assert.Empty(errors);
    }
}
