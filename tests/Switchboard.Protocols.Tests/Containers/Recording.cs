using Switchboard.Protocols.Containers;

namespace Switchboard.Protocols.Tests.Containers;

/// <summary>Feeds samples to a writer over a memory stream, and saves bytes where ffmpeg can read them.</summary>
public static class Recording
{
    public static byte[] Record(TrackFormat format, ContainerChoice choice, IEnumerable<MediaSample> samples, bool finish = true)
    {
        using var stream = new MemoryStream();
        var writer = ContainerWriters.Create(format, stream, choice);
        foreach (var sample in samples) writer.Write(sample);
        if (finish) writer.Finish();
        return stream.ToArray();
    }

    public static string Save(EncodedClips clips, byte[] bytes, TrackFormat format, ContainerChoice choice)
    {
        string path = Path.Combine(clips.Directory, Guid.NewGuid().ToString("N") + ContainerWriters.FileExtension(format, choice));
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static IReadOnlyList<MediaSample> Clip(EncodedClips clips, RecordingCodec codec) =>
        codec == RecordingCodec.Opus ? clips.Opus() : clips.Video(codec);

    /// <summary>The input's duration: the last sample's time plus one frame (20 ms packets, 30 fps video).</summary>
    public static double Duration(IReadOnlyList<MediaSample> samples, RecordingCodec codec) =>
        samples[^1].Time.TotalSeconds + (codec == RecordingCodec.Opus ? 0.02 : 1 / 30.0);

    public static string CodecName(RecordingCodec codec) => codec.ToString().ToLowerInvariant();
}
