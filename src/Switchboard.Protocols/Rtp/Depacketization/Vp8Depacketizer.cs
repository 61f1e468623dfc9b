using Switchboard.Protocols.Codecs;

namespace Switchboard.Protocols.Rtp.Depacketization;

/// <summary>
/// RFC 7741: each packet's payload descriptor (§4.2) is stripped and the partitions concatenated. The frame must begin
/// with the start of partition 0 (S set, PID 0). The VP8 payload header (§4.3) is the frame tag of RFC 6386 §9.1: a P
/// bit of 0 is a key frame, whose start code 9D 01 2A is followed by 14-bit width and height (and 2 scaling bits).
/// </summary>
internal sealed class Vp8Depacketizer : Depacketizer
{
    public override bool IsKeyframeStart(ReadOnlySpan<byte> payload) => KeyframeDetector.IsKeyframeStart(VideoCodec.Vp8, payload);

    public override bool TryAssemble(IReadOnlyList<byte[]> payloads, out byte[] frame, out FrameInfo info)
    {
        frame = [];
        info = default;
        int total = 0;
        for (int i = 0; i < payloads.Count; i++)
        {
            byte[] payload = payloads[i];
            if (!PictureIdFields.TryLocateVp8(payload, out _, out int descriptor)) return false;
            if (i == 0 && (payload[0] & 0x17) != 0x10) return false; // S set, PID 0
            total += payload.Length - descriptor;
        }
        if (total < 3) return false; // the frame tag
        frame = new byte[total];
        int offset = 0;
        foreach (byte[] payload in payloads)
        {
            PictureIdFields.TryLocateVp8(payload, out _, out int descriptor);
            payload.AsSpan(descriptor).CopyTo(frame.AsSpan(offset));
            offset += payload.Length - descriptor;
        }
        if ((frame[0] & 0x01) != 0)
        {
            info = new FrameInfo(false, 0, 0);
            return true;
        }
        if (!VpxFrameSize.TryReadVp8(frame, out int width, out int height)) return false;
        info = new FrameInfo(true, width, height);
        return true;
    }
}
