using System.Buffers.Binary;

namespace Switchboard.Protocols.Codecs;

/// <summary>The picture size a VP8 or VP9 key frame declares in its header.</summary>
internal static class VpxFrameSize
{
    /// <summary>VP8 key frame header (RFC 6386 §9.1): 3-byte frame tag with a P bit of 0, start code 9D 01 2A, 14-bit width
    /// and height (and 2 scaling bits each). False when the frame is not a key frame or its header is not there.</summary>
    public static bool TryReadVp8(ReadOnlySpan<byte> frame, out int width, out int height)
    {
        width = height = 0;
        if (frame.Length < 10 || (frame[0] & 1) != 0 || frame[3] != 0x9D || frame[4] != 0x01 || frame[5] != 0x2A) return false;
        width = BinaryPrimitives.ReadUInt16LittleEndian(frame[6..]) & 0x3FFF;
        height = BinaryPrimitives.ReadUInt16LittleEndian(frame[8..]) & 0x3FFF;
        return true;
    }

    /// <summary>
    /// VP9 bitstream §6.2 uncompressed_header(): frame marker, profile, show_existing_frame, frame_type; for a key frame
    /// the sync code, color_config() and frame_size(). In a superframe (Annex B) the first frame's header comes first.
    /// False when the header cannot be read; a frame that is not a key frame reads with <paramref name="keyframe"/> false
    /// and no size.
    /// </summary>
    public static bool TryReadVp9(ReadOnlySpan<byte> frame, out bool keyframe, out int width, out int height)
    {
        keyframe = false;
        width = height = 0;
        var bits = new BitReader(frame);
        if (bits.ReadBits(2) != 2) return false; // frame_marker
        uint profile = bits.ReadBit() | (bits.ReadBit() << 1);
        if (profile == 3) bits.ReadBit(); // reserved_zero
        if (bits.ReadFlag()) return !bits.Overrun; // show_existing_frame: no frame of its own
        keyframe = bits.ReadBit() == 0; // frame_type KEY_FRAME
        bits.Skip(2); // show_frame, error_resilient_mode
        if (!keyframe) return !bits.Overrun;
        if (bits.ReadBits(24) != 0x498342) return false; // frame_sync_code
        if (profile >= 2) bits.ReadBit(); // ten_or_twelve_bit
        uint colorSpace = bits.ReadBits(3);
        if (colorSpace != 7) // not CS_RGB: color_range, then subsampling in profiles 1 and 3
        {
            bits.ReadBit();
            if (profile is 1 or 3) bits.Skip(3);
        }
        else if (profile is 1 or 3) bits.ReadBit();
        width = (int)bits.ReadBits(16) + 1;
        height = (int)bits.ReadBits(16) + 1;
        return !bits.Overrun;
    }
}
