namespace Switchboard.Protocols.Rtp.Depacketization;

/// <summary>What a frame's payload headers say about it.</summary>
internal readonly record struct FrameInfo(bool IsKeyframe, int Width, int Height);

/// <summary>
/// One codec's payload format: where a key frame may start, and the frame that the payloads of one frame's packets
/// (in sequence order, all present) make. A malformed payload makes no frame; nothing throws.
/// </summary>
internal abstract class Depacketizer
{
    public static Depacketizer For(FrameCodec codec) => codec switch
    {
        FrameCodec.Opus => new OpusDepacketizer(),
        FrameCodec.Vp8 => new Vp8Depacketizer(),
        FrameCodec.Vp9 => new Vp9Depacketizer(),
        FrameCodec.H264 => new H264Depacketizer(),
        FrameCodec.Av1 => new Av1Depacketizer(),
        _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, null),
    };

    /// <summary>Whether this packet is the first of a frame a decoder can start from.</summary>
    public abstract bool IsKeyframeStart(ReadOnlySpan<byte> payload);

    public abstract bool TryAssemble(IReadOnlyList<byte[]> payloads, out byte[] frame, out FrameInfo info);
}

/// <summary>RFC 7587 §4.2: one Opus packet per RTP packet, the payload as is.</summary>
internal sealed class OpusDepacketizer : Depacketizer
{
    public override bool IsKeyframeStart(ReadOnlySpan<byte> payload) => !payload.IsEmpty;

    public override bool TryAssemble(IReadOnlyList<byte[]> payloads, out byte[] frame, out FrameInfo info)
    {
        frame = payloads.Count == 1 ? payloads[0] : [];
        info = new FrameInfo(true, 0, 0);
        return frame.Length > 0;
    }
}
