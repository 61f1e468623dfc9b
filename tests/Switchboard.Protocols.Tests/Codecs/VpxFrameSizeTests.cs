using Switchboard.Protocols.Codecs;

namespace Switchboard.Protocols.Tests.Codecs;

/// <summary>The size in a VP8 key frame header (RFC 6386 §9.1) and a VP9 uncompressed header (VP9 bitstream §6.2).</summary>
public class VpxFrameSizeTests
{
    [Fact]
    public void A_vp8_key_frame_gives_its_14_bit_width_and_height()
    {
        byte[] frame = Convert.FromHexString("100200" + "9D012A" + "4041" + "F0C0"); // scaling bits set, not part of the size
        Assert.True(VpxFrameSize.TryReadVp8(frame, out int width, out int height));
        Assert.Equal((320, 240), (width, height));
    }

    [Theory]
    [InlineData("110200" + "9D012A" + "4001" + "F000", "an inter frame")]
    [InlineData("100200" + "9D012B" + "4001" + "F000", "a wrong start code")]
    [InlineData("100200" + "9D012A" + "4001" + "F0", "a header cut short")]
    public void A_vp8_frame_without_a_key_frame_header_gives_no_size(string hex, string what)
    {
        Assert.False(VpxFrameSize.TryReadVp8(Convert.FromHexString(hex), out _, out _), what);
    }

    // frame_marker, profile 0 (low bit first), show_existing_frame 0, frame_type, show_frame 1, error_resilient_mode 0.
    const string Vp9Start = "10 0 0 0";

    [Fact]
    public void A_vp9_key_frame_gives_its_size_after_the_sync_code_and_color_config()
    {
        // KEY_FRAME, sync code, color_space CS_BT_601 and color_range 0, frame_width_minus_1 319, frame_height_minus_1 239.
        byte[] frame = BitString.ToBytes(Vp9Start + "0 1 0" + "010010011000001101000010" + "001 0" + "0000000100111111" + "0000000011101111");
        Assert.True(VpxFrameSize.TryReadVp9(frame, out bool keyframe, out int width, out int height));
        Assert.Equal((true, 320, 240), (keyframe, width, height));
        Assert.False(VpxFrameSize.TryReadVp9(frame[..6], out _, out _, out _));
    }

    [Fact]
    public void A_vp9_inter_frame_reads_as_no_key_frame_and_a_bad_marker_does_not_read()
    {
        Assert.True(VpxFrameSize.TryReadVp9(BitString.ToBytes(Vp9Start + "1 1 0"), out bool keyframe, out int width, out _));
        Assert.Equal((false, 0), (keyframe, width));
        Assert.False(VpxFrameSize.TryReadVp9(BitString.ToBytes("01 0 0 0 0 1 0"), out _, out _, out _));
    }
}
