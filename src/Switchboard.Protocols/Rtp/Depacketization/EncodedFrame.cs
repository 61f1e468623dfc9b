namespace Switchboard.Protocols.Rtp.Depacketization;

/// <summary>
/// One complete encoded frame, as a recorder writes it to a file. <see cref="Timestamp"/> is the RTP timestamp unwrapped
/// to 64 bits (the first frame: its 32-bit value), continuous across a restart of the stream (<see cref="FrameAssembler"/>).
/// Width and Height are those the key frame's header or the codec's parameters announce, 0 when unknown (and for audio
/// and most inter frames). Every Opus packet is a key frame.
/// </summary>
public sealed record EncodedFrame(byte[] Data, long Timestamp, bool IsKeyframe, int Width, int Height);

/// <summary>The payload formats <see cref="FrameAssembler"/> turns into frames.</summary>
public enum FrameCodec
{
    Opus,
    Vp8,
    Vp9,
    Av1,
    H264,
}
