using System.Buffers.Binary;
using Switchboard.Protocols.Rtp.Depacketization;

namespace Switchboard.Protocols.Tests.Rtp.Depacketization;

/// <summary>
/// One codec's test stream: 3 s of testsrc2 at 320x240 and 30 frames/s, a key frame every 30, encoded once by ffmpeg
/// into a reference file (the frames a depacketizer must give back) and packetized by ffmpeg's RTP muxer (VP8, VP9,
/// H.264, Opus) or by <see cref="Av1Packetizer"/> (ffmpeg 5.1 has no AV1 packetizer). Built once per codec.
/// </summary>
internal sealed class RecordedStream
{
    public const int Width = 320, Height = 240;

    static readonly Dictionary<FrameCodec, Lazy<RecordedStream>> Streams = Enum.GetValues<FrameCodec>()
        .ToDictionary(codec => codec, codec => new Lazy<RecordedStream>(() => Record(codec)));

    RecordedStream(FrameCodec codec, string folder, List<byte[]> packets, List<byte[]> reference)
    {
        Codec = codec;
        Folder = folder;
        Packets = packets;
        Reference = reference;
        ReferenceKeyframes = reference.Select(frame => IsKeyframe(codec, frame)).ToList();
    }

    public FrameCodec Codec { get; }
    public string Folder { get; }
    public List<byte[]> Packets { get; }

    /// <summary>The frames as the assembler must emit them (H.264: access units in Annex B with 4-byte start codes).</summary>
    public List<byte[]> Reference { get; }

    public List<bool> ReferenceKeyframes { get; }

    public static RecordedStream Of(FrameCodec codec) => Streams[codec].Value;

    static RecordedStream Record(FrameCodec codec)
    {
        string folder = Directory.CreateTempSubdirectory("depacketization-").FullName;
        string[] video = ["-f", "lavfi", "-i", $"testsrc2=size={Width}x{Height}:rate=30", "-t", "3", "-g", "30"];
        switch (codec)
        {
            case FrameCodec.Vp8:
            case FrameCodec.Vp9:
            {
                string file = Path.Combine(folder, "reference.ivf");
                Ffmpeg.Run(["-v", "error", .. video, "-c:v", codec == FrameCodec.Vp8 ? "libvpx" : "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k", "-f", "ivf", file]);
                return new RecordedStream(codec, folder, Ffmpeg.Packetize(file), Ffmpeg.ReadIvf(file));
            }
            case FrameCodec.H264:
            {
                string file = Path.Combine(folder, "reference.h264");
                Ffmpeg.Run(["-v", "error", .. video, "-c:v", "libx264", "-preset", "veryfast", "-x264-params", "bframes=0", "-f", "h264", file]);
                var units = H264AccessUnits(File.ReadAllBytes(file)).Select(AnnexB).ToList();
                return new RecordedStream(codec, folder, Ffmpeg.Packetize(file, 600, "-framerate", "30"), units);
            }
            case FrameCodec.Av1:
            {
                string file = Path.Combine(folder, "reference.ivf");
                Ffmpeg.Run(["-v", "error", .. video, "-c:v", "libsvtav1", "-f", "ivf", file]);
                var units = Ffmpeg.ReadIvf(file);
                return new RecordedStream(codec, folder, Av1Packetizer.Packetize(units, 300), units.Select(Av1Packetizer.LowOverhead).ToList());
            }
            default:
            {
                string file = Path.Combine(folder, "reference.ogg");
                Ffmpeg.Run(["-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-c:a", "libopus", "-b:a", "32k", file]);
                var packets = Ffmpeg.Packetize(file);
                // Opus frames are the RTP payloads themselves: the reference is what ffmpeg put in the packets.
                return new RecordedStream(codec, folder, packets, packets.Select(p => p[12..]).ToList());
            }
        }
    }

    /// <summary>
    /// Where <paramref name="frame"/> is in the reference, searching after <paramref name="after"/>; -1 if it is not a
    /// reference frame byte for byte (H.264: NAL for NAL, without the SPS and PPS the assembler put in front).
    /// </summary>
    public int IndexOf(EncodedFrame frame, int after)
    {
        for (int i = after + 1; i < Reference.Count; i++)
            if (Comparable(frame.Data, Reference[i]).AsSpan().SequenceEqual(Reference[i])) return i;
        return -1;
    }

    byte[] Comparable(byte[] frame, byte[] reference)
    {
        if (Codec != FrameCodec.H264) return frame;
        var referenceTypes = SplitAnnexB(reference).Select(nal => nal[0] & 0x1F).ToHashSet();
        return AnnexB(SplitAnnexB(frame).Where(nal => (nal[0] & 0x1F) is not (7 or 8) || referenceTypes.Contains(nal[0] & 0x1F)).ToList());
    }

    public static bool IsKeyframe(FrameCodec codec, byte[] frame) => codec switch
    {
        FrameCodec.Vp8 => (frame[0] & 0x01) == 0,
        FrameCodec.Vp9 => (frame[0] & 0xC0) == 0x80 && (frame[0] & 0x08) == 0 && (frame[0] & 0x04) == 0, // profile 0: marker, no show_existing, KEY_FRAME
        FrameCodec.H264 => SplitAnnexB(frame).Any(nal => (nal[0] & 0x1F) == 5),
        FrameCodec.Av1 => Av1Packetizer.Obus(frame).Any(obu => ((obu[0] >> 3) & 0x0F) == 1),
        _ => true,
    };

    public static List<byte[]> SplitAnnexB(byte[] stream)
    {
        var nals = new List<byte[]>();
        int start = -1;
        for (int i = 0; i + 2 < stream.Length; i++)
        {
            if (stream[i] != 0 || stream[i + 1] != 0 || stream[i + 2] != 1) continue;
            if (start >= 0) nals.Add(TrimZeros(stream[start..i]));
            start = i + 3;
            i += 2;
        }
        if (start >= 0) nals.Add(stream[start..]);
        return nals;
    }

    static byte[] TrimZeros(byte[] nal)
    {
        int end = nal.Length;
        while (end > 0 && nal[end - 1] == 0) end--;
        return nal[..end];
    }

    public static byte[] AnnexB(List<byte[]> nals) => nals.SelectMany(nal => (byte[])[0, 0, 0, 1, .. nal]).ToArray();

    /// <summary>H.264 §7.4.1.2.3: a new access unit starts at an AUD, SEI, SPS or PPS, or at a slice with first_mb_in_slice 0, after a slice.</summary>
    static List<List<byte[]>> H264AccessUnits(byte[] stream)
    {
        var units = new List<List<byte[]>>();
        List<byte[]>? unit = null;
        bool sliceSeen = false;
        foreach (var nal in SplitAnnexB(stream))
        {
            int type = nal[0] & 0x1F;
            bool slice = type is 1 or 5;
            if (unit is null || (sliceSeen && (type is 6 or 7 or 8 or 9 || (slice && (nal[1] & 0x80) != 0))))
            {
                unit = [];
                units.Add(unit);
                sliceSeen = false;
            }
            unit.Add(nal);
            sliceSeen |= slice;
        }
        return units;
    }

    public static ushort Sequence(byte[] packet) => BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2));
    public static uint Timestamp(byte[] packet) => BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(4));
}
