using Switchboard.Protocols.Containers;

namespace Switchboard.Protocols.Tests.Containers;

/// <summary>Input a writer cannot store is dropped and counted, never thrown; only misuse (a write after Finish) throws.</summary>
[Collection(FfmpegCollection.Name)]
public class HostileInputTests(EncodedClips clips)
{
    [Theory]
    [InlineData(RecordingCodec.Opus, ContainerChoice.Ogg)]
    [InlineData(RecordingCodec.Opus, ContainerChoice.Matroska)]
    [InlineData(RecordingCodec.Vp8, ContainerChoice.Matroska)]
    [InlineData(RecordingCodec.Av1, ContainerChoice.Matroska)]
    [InlineData(RecordingCodec.H264, ContainerChoice.Mp4)]
    public void Empty_samples_and_frames_before_the_first_key_frame_are_dropped_and_counted(RecordingCodec codec, ContainerChoice choice)
    {
        var samples = Recording.Clip(clips, codec);
        var format = new TrackFormat(codec, 90000);
        using var stream = new MemoryStream();
        var writer = ContainerWriters.Create(format, stream, choice);
        writer.Write(new MediaSample(Array.Empty<byte>(), TimeSpan.Zero, true));
        if (format.IsVideo) writer.Write(samples[1] with { Time = TimeSpan.Zero }); // a delta frame first
        Assert.Equal(0, writer.Length);
        foreach (var sample in samples) writer.Write(sample);
        writer.Write(new MediaSample(Array.Empty<byte>(), samples[^1].Time, false));
        writer.Finish();

        Assert.Equal(format.IsVideo ? 3 : 2, writer.DroppedSamples);
        string file = Recording.Save(clips, stream.ToArray(), format, choice);
        Assert.Equal("", FfmpegTool.DecodeErrors(file));
        Assert.Equal(samples.Count, FfmpegTool.Probe(file).Frames);
    }

    [Theory]
    [InlineData(ContainerChoice.Mp4)]
    [InlineData(ContainerChoice.Matroska)]
    public void An_h264_key_frame_without_sps_and_pps_is_dropped_until_one_with_them(ContainerChoice choice)
    {
        var frames = clips.Video(RecordingCodec.H264);
        var idrOnly = WithoutParameterSets(frames[0].Data.ToArray());
        var format = new TrackFormat(RecordingCodec.H264, 90000);
        using var stream = new MemoryStream();
        var writer = ContainerWriters.Create(format, stream, choice);
        writer.Write(new MediaSample(idrOnly, TimeSpan.Zero, true));

        Assert.Equal((0, 1L), (writer.Length, writer.DroppedSamples));
        foreach (var frame in frames) writer.Write(frame);
        writer.Finish();
        Assert.Equal(1, writer.DroppedSamples);
    }

    [Fact]
    public void Garbage_av1_is_dropped_and_the_stream_goes_on()
    {
        var frames = clips.Video(RecordingCodec.Av1);
        var format = new TrackFormat(RecordingCodec.Av1, 90000);
        using var stream = new MemoryStream();
        var writer = ContainerWriters.Create(format, stream);
        byte[][] garbage =
        [
            [0xFF, 0xFF, 0xFF, 0xFF], // forbidden bit
            [0x0A, 0x7F, 0x01, 0x02], // a sequence header whose size runs past the end
            [0x0A, 0x80], // leb128 cut short
            [0x0A, 0x02, 0xFF, 0xFF], // a sequence header that does not parse
        ];
        foreach (var bytes in garbage) writer.Write(new MediaSample(bytes, TimeSpan.Zero, true));
        Assert.Equal(0, writer.Length);
        for (int i = 0; i < frames.Count; i++)
        {
            writer.Write(frames[i]);
            if (i == 40) writer.Write(new MediaSample(garbage[1], frames[i].Time, false));
        }
        writer.Finish();

        Assert.Equal(5, writer.DroppedSamples);
        string file = Recording.Save(clips, stream.ToArray(), format, ContainerChoice.Default);
        Assert.Equal("", FfmpegTool.DecodeErrors(file));
        Assert.Equal(frames.Count, FfmpegTool.Probe(file).Frames);
    }

    [Theory]
    [InlineData(new byte[] { 0x7B })] // code 3 without its frame count byte
    [InlineData(new byte[] { 0x7B, 0x00 })] // code 3 with no frame
    [InlineData(new byte[] { 0x7B, 0x07 })] // 7 x 20 ms: over 120 ms
    public void A_malformed_opus_packet_is_dropped(byte[] packet)
    {
        using var stream = new MemoryStream();
        var writer = ContainerWriters.Create(new TrackFormat(RecordingCodec.Opus, 48000), stream);
        writer.Write(new MediaSample(packet, TimeSpan.Zero, true));
        Assert.Equal((0, 1L), (writer.Length, writer.DroppedSamples));
    }

    [Theory]
    [InlineData(ContainerChoice.Ogg)]
    [InlineData(ContainerChoice.Matroska)]
    public void A_write_after_finish_throws(ContainerChoice choice)
    {
        using var stream = new MemoryStream();
        var writer = ContainerWriters.Create(new TrackFormat(RecordingCodec.Opus, 48000), stream, choice);
        writer.Write(new MediaSample(new byte[] { 0xF8, 0xFF, 0xFE }, TimeSpan.Zero, true));
        writer.Finish();
        Assert.ThrowsAny<InvalidOperationException>(() => writer.Write(new MediaSample(new byte[] { 0xF8, 0xFF, 0xFE }, TimeSpan.Zero, true)));
    }

    [Fact]
    public void A_container_that_cannot_hold_the_codec_is_refused()
    {
        using var stream = new MemoryStream();
        Assert.Throws<ArgumentException>(() => ContainerWriters.Create(new TrackFormat(RecordingCodec.Vp8, 90000), stream, ContainerChoice.Ogg));
        Assert.Throws<ArgumentException>(() => ContainerWriters.Create(new TrackFormat(RecordingCodec.Vp9, 90000), stream, ContainerChoice.Mp4));
    }

    static byte[] WithoutParameterSets(byte[] accessUnit)
    {
        var kept = new List<byte>();
        var starts = new List<int>();
        for (int i = 0; i + 3 < accessUnit.Length; i++)
        {
            if (accessUnit[i] == 0 && accessUnit[i + 1] == 0 && accessUnit[i + 2] == 1) starts.Add(i);
        }
        for (int i = 0; i < starts.Count; i++)
        {
            int end = i + 1 < starts.Count ? starts[i + 1] : accessUnit.Length;
            if ((accessUnit[starts[i] + 3] & 0x1F) is not (7 or 8)) kept.AddRange(accessUnit[starts[i]..end]);
        }
        return [.. kept];
    }
}
