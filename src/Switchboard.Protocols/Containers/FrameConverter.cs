using Switchboard.Protocols.Codecs;
using Switchboard.Protocols.Containers.Codecs;

namespace Switchboard.Protocols.Containers;

/// <summary>
/// What every writer does to a track's frames before storing them: learns the track's setup from the first usable key
/// frame (picture size, avcC or av1C), drops what cannot be stored, and turns the rest into the stored form (H.264 from
/// Annex B to length-prefixed NAL units; AV1 without temporal delimiters; VP8, VP9 and Opus as they are).
/// </summary>
internal sealed class FrameConverter(TrackFormat format)
{
    readonly List<Av1Obu> _obus = [];

    /// <summary>Whether the first usable key frame (any Opus packet) has been seen.</summary>
    public bool Ready { get; private set; }

    public int Width { get; private set; } = format.Width;
    public int Height { get; private set; } = format.Height;
    public AvcConfiguration? Avc { get; private set; }

    /// <summary>The codec setup Matroska stores as CodecPrivate: avcC, av1C or the OpusHead; null for VP8 and VP9.</summary>
    public byte[]? CodecPrivate { get; private set; }

    /// <summary>Appends the stored form of a frame to <paramref name="output"/>; false (nothing appended) when the frame is
    /// dropped.</summary>
    public bool TryAppend(ReadOnlySpan<byte> data, bool keyframe, ByteBuffer output)
    {
        if (data.IsEmpty) return false;
        if (!Ready && !TrySetUp(data, keyframe)) return false;
        switch (format.Codec)
        {
            case RecordingCodec.H264:
                return AnnexB.ToLengthPrefixed(data, output) > 0;
            case RecordingCodec.Av1:
                if (!Av1Obus.TryParse(data, _obus)) return false;
                int before = output.Length;
                foreach (var obu in _obus)
                {
                    if (obu.Type != Av1Obus.TemporalDelimiter) output.Bytes(data[obu.Whole]);
                }
                return output.Length > before;
            case RecordingCodec.Opus:
                if (OpusPacket.SampleCount(data) == 0) return false;
                output.Bytes(data);
                return true;
            default:
                output.Bytes(data);
                return true;
        }
    }

    bool TrySetUp(ReadOnlySpan<byte> data, bool keyframe)
    {
        if (format.Codec == RecordingCodec.Opus)
        {
            CodecPrivate = OpusPacket.Head(format.Channels, OggOpusPreSkip);
            return Ready = true;
        }
        if (!keyframe) return false;
        int width, height;
        switch (format.Codec)
        {
            case RecordingCodec.Vp8:
                if (!VpxFrameSize.TryReadVp8(data, out width, out height) || width == 0 || height == 0) return false;
                break;
            case RecordingCodec.Vp9:
                if (!VpxFrameSize.TryReadVp9(data, out bool vp9Keyframe, out width, out height) || !vp9Keyframe) return false;
                break;
            case RecordingCodec.H264:
                if (!AvcConfiguration.TryRead(data, out var avc)) return false;
                (Avc, CodecPrivate, width, height) = (avc, avc.ToAvcC(), avc.Width, avc.Height);
                break;
            default:
                if (!Av1Obus.TryParse(data, _obus) || !Av1Configuration.TryRead(data, _obus, out var av1)) return false;
                (CodecPrivate, width, height) = (av1.Av1C, av1.Width, av1.Height);
                break;
        }
        if (Width == 0 || Height == 0) (Width, Height) = (width, height);
        return Ready = true;
    }

    /// <summary>The pre-skip the Opus headers declare: 0, since a recording starts in the middle of a running stream
    /// (there is no encoder delay to trim), so sample times map to granule positions and block times one for one.</summary>
    public const int OggOpusPreSkip = 0;
}
