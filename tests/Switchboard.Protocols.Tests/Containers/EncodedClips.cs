using System.Buffers.Binary;
using Switchboard.Protocols.Containers;

namespace Switchboard.Protocols.Tests.Containers;

/// <summary>Real encoded streams, made once per test run with ffmpeg's encoders and read back into frames with their times,
/// as the recorder would hand them over. Lives in a temp directory removed at the end.</summary>
public sealed class EncodedClips : IDisposable
{
    readonly Dictionary<string, IReadOnlyList<MediaSample>> _clips = [];

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("switchboard-containers-").FullName;

    public IReadOnlyList<MediaSample> Video(RecordingCodec codec, int width = 320, int height = 240, int seconds = 4)
    {
        string key = $"{codec}-{width}x{height}-{seconds}";
        lock (_clips)
        {
            if (!_clips.TryGetValue(key, out var clip)) _clips[key] = clip = EncodeVideo(codec, width, height, seconds, key);
            return clip;
        }
    }

    /// <summary>4 s of a 440 Hz tone, stereo Opus in 20 ms packets.</summary>
    public IReadOnlyList<MediaSample> Opus()
    {
        lock (_clips)
        {
            if (_clips.TryGetValue("opus", out var clip)) return clip;
            string file = Path.Combine(Directory, "opus.ogg");
            FfmpegTool.Ffmpeg("-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "4", "-ac", "2",
                "-c:a", "libopus", "-b:a", "48k", "-frame_duration", "20", "-f", "ogg", file);
            var packets = OggPackets(File.ReadAllBytes(file)).Skip(2); // OpusHead, OpusTags
            return _clips["opus"] = packets.Select((packet, i) => new MediaSample(packet, TimeSpan.FromMilliseconds(20 * i), true)).ToList();
        }
    }

    IReadOnlyList<MediaSample> EncodeVideo(RecordingCodec codec, int width, int height, int seconds, string name)
    {
        string file = Path.Combine(Directory, name + (codec == RecordingCodec.H264 ? ".h264" : ".ivf"));
        string[] input = ["-v", "error", "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=30", "-t", $"{seconds}"];
        string[] encoder = codec switch
        {
            RecordingCodec.Vp8 => ["-c:v", "libvpx", "-g", "30", "-b:v", "400k", "-deadline", "realtime", "-cpu-used", "8", "-f", "ivf"],
            RecordingCodec.Vp9 => ["-c:v", "libvpx-vp9", "-g", "30", "-b:v", "400k", "-deadline", "realtime", "-cpu-used", "8", "-f", "ivf"],
            RecordingCodec.Av1 => ["-c:v", "libaom-av1", "-g", "30", "-b:v", "400k", "-usage", "realtime", "-cpu-used", "8", "-f", "ivf"],
            _ => ["-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-bf", "0", "-x264-params", "aud=1", "-bsf:v", "h264_mp4toannexb", "-f", "h264"],
        };
        FfmpegTool.Ffmpeg([.. input, .. encoder, file]);
        var bytes = File.ReadAllBytes(file);
        if (codec == RecordingCodec.H264)
        {
            return AccessUnits(bytes).Select((unit, i) => new MediaSample(unit, TimeSpan.FromSeconds(i / 30.0), ContainsIdr(unit))).ToList();
        }
        var keyframes = FfmpegTool.KeyframeFlags(file);
        return IvfFrames(bytes).Select((frame, i) => new MediaSample(
            codec == RecordingCodec.Av1 ? WithoutTemporalDelimiter(frame.Data) : frame.Data, frame.Time, keyframes[i])).ToList();
    }

    /// <summary>IVF: a 32-byte file header (time base at 16 and 20), then per frame a 12-byte header (size, 64-bit pts).</summary>
    static IEnumerable<(byte[] Data, TimeSpan Time)> IvfFrames(byte[] file)
    {
        uint rate = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(16)), scale = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(20));
        for (int offset = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(6)); offset + 12 <= file.Length;)
        {
            int size = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset));
            long pts = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(offset + 4));
            yield return (file.AsSpan(offset + 12, size).ToArray(), TimeSpan.FromSeconds(pts * (double)scale / rate));
            offset += 12 + size;
        }
    }

    /// <summary>ffmpeg starts each AV1 temporal unit with a temporal delimiter OBU (0x12 0x00); the recorder's frames have none.</summary>
    static byte[] WithoutTemporalDelimiter(byte[] unit) => unit is [0x12, 0x00, ..] ? unit[2..] : unit;

    /// <summary>An Annex B stream cut into access units at each access unit delimiter (00 00 00 01 09).</summary>
    static IEnumerable<byte[]> AccessUnits(byte[] stream)
    {
        var starts = new List<int>();
        for (int i = 0; i + 4 < stream.Length; i++)
        {
            if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 0 && stream[i + 3] == 1 && (stream[i + 4] & 0x1F) == 9) starts.Add(i);
        }
        for (int i = 0; i < starts.Count; i++) yield return stream[starts[i]..(i + 1 < starts.Count ? starts[i + 1] : stream.Length)];
    }

    public static bool ContainsIdr(byte[] unit)
    {
        for (int i = 0; i + 3 < unit.Length; i++)
        {
            if (unit[i] == 0 && unit[i + 1] == 0 && unit[i + 2] == 1 && (unit[i + 3] & 0x1F) == 5) return true;
        }
        return false;
    }

    /// <summary>The packets of a single-stream Ogg file, put together from the pages' lacing values (RFC 3533 §6).</summary>
    public static List<byte[]> OggPackets(byte[] file)
    {
        var packets = new List<byte[]>();
        var current = new List<byte>();
        for (int offset = 0; offset + 27 <= file.Length && file.AsSpan(offset, 4).SequenceEqual("OggS"u8);)
        {
            int segments = file[offset + 26];
            int data = offset + 27 + segments;
            for (int i = 0; i < segments; i++)
            {
                int lacing = file[offset + 27 + i];
                current.AddRange(file.AsSpan(data, lacing));
                data += lacing;
                if (lacing < 255)
                {
                    packets.Add([.. current]);
                    current.Clear();
                }
            }
            offset = data;
        }
        return packets;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

[CollectionDefinition(Name)]
public sealed class FfmpegCollection : ICollectionFixture<EncodedClips>
{
    public const string Name = "ffmpeg";
}
