using Switchboard.Protocols.Containers.Matroska;
using Switchboard.Protocols.Containers.Mp4;
using Switchboard.Protocols.Containers.Ogg;

namespace Switchboard.Protocols.Containers;

/// <summary>Picks the writer for a track: <see cref="ContainerChoice.Default"/> is Ogg for Opus, WebM for VP8, VP9 and AV1,
/// fragmented MP4 for H.264. Matroska takes every codec; Ogg only Opus; MP4 only H.264.</summary>
public static class ContainerWriters
{
    /// <exception cref="ArgumentException">The container cannot hold the codec (Ogg with video, MP4 with other than H.264),
    /// or Opus with other than 1 or 2 channels in Ogg.</exception>
    public static IContainerWriter Create(TrackFormat format, Stream output, ContainerChoice choice = ContainerChoice.Default) =>
        Resolve(format, choice) switch
        {
            ContainerChoice.Ogg => new OggOpusWriter(format, output),
            ContainerChoice.Mp4 => new FragmentedMp4Writer(format, output),
            _ => new MatroskaWriter(format, output),
        };

    /// <summary>The file name extension, with its dot: ".opus" (Ogg Opus, RFC 7845 §9), ".webm", ".mkv" (H.264 in
    /// Matroska) or ".mp4".</summary>
    public static string FileExtension(TrackFormat format, ContainerChoice choice = ContainerChoice.Default) =>
        Resolve(format, choice) switch
        {
            ContainerChoice.Ogg => ".opus",
            ContainerChoice.Mp4 => ".mp4",
            _ => format.Codec == RecordingCodec.H264 ? ".mkv" : ".webm",
        };

    static ContainerChoice Resolve(TrackFormat format, ContainerChoice choice)
    {
        if (choice == ContainerChoice.Default)
        {
            return format.Codec switch
            {
                RecordingCodec.Opus => ContainerChoice.Ogg,
                RecordingCodec.H264 => ContainerChoice.Mp4,
                _ => ContainerChoice.Matroska,
            };
        }
        if (choice == ContainerChoice.Ogg && format.Codec != RecordingCodec.Opus)
            throw new ArgumentException($"Ogg holds Opus here, not {format.Codec}.", nameof(choice));
        if (choice == ContainerChoice.Mp4 && format.Codec != RecordingCodec.H264)
            throw new ArgumentException($"MP4 holds H.264 here, not {format.Codec}.", nameof(choice));
        return choice;
    }
}
