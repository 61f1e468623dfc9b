using Switchboard.Protocols.Codecs;

namespace Switchboard.Protocols.Tests.Codecs;

/// <summary>The H.264 SPS parser (§7.3.2.1.1) the depacketizer and the avcC record share: profile, constraint flags,
/// level and the cropped picture size (the ffmpeg-made High 4:4:4 set with scaling lists is in the frame assembler's
/// tests).</summary>
public class H264SequenceParameterSetTests
{
    // profile_idc, constraint flags, level_idc, then seq_parameter_set_id 0, log2_max_frame_num_minus4 0,
    // pic_order_cnt_type 2, max_num_ref_frames 1, gaps_in_frame_num_value_allowed_flag 0.
    const string Baseline = "01000010 11000000 00011110 1 1 011 010 0";

    // pic_width_in_mbs_minus1 19, pic_height_in_map_units_minus1 14, frame_mbs_only_flag 1, direct_8x8_inference_flag 1,
    // no cropping, no VUI, the stop bit.
    const string Size320x240 = "000010100 0001111 1 1 0 0 1";

    [Fact]
    public void A_baseline_set_gives_its_profile_level_and_size()
    {
        byte[] nal = [0x67, .. BitString.ToBytes(Baseline + Size320x240)];
        Assert.True(H264SequenceParameterSet.TryParse(nal, out var sps));
        Assert.Equal(new H264SequenceParameterSet(66, 0xC0, 30, 320, 240), sps);
    }

    [Fact]
    public void Cropping_takes_the_chroma_crop_unit_off_the_macroblock_size()
    {
        // 120 x 68 macroblocks (1920x1088), frame_cropping_flag 1 with a bottom offset of 4 (4:2:0: two rows each).
        byte[] nal = [0x67, .. BitString.ToBytes(Baseline + "0000001111000 0000001000100 1 1 1 1 1 1 00101 0 1")];
        Assert.True(H264SequenceParameterSet.TryParse(nal, out var sps));
        Assert.Equal((1920, 1080), (sps.Width, sps.Height));
    }

    [Fact]
    public void Emulation_prevention_bytes_are_removed_before_the_fields_are_read()
    {
        // constraint flags and level_idc 0: 00 00 is followed by an emulation prevention byte.
        byte[] rbsp = BitString.ToBytes("01000010 00000000 00000000 1 1 011 010 0" + Size320x240);
        byte[] nal = [0x67, rbsp[0], 0x00, 0x00, 0x03, .. rbsp[3..]];
        Assert.True(H264SequenceParameterSet.TryParse(nal, out var sps));
        Assert.Equal(new H264SequenceParameterSet(66, 0, 0, 320, 240), sps);
    }

    [Theory]
    [InlineData("674200", "shorter than its fixed fields")]
    [InlineData("6742C01EBB", "cut short before the size")]
    public void A_set_that_cannot_be_read_does_not_parse(string hex, string what)
    {
        Assert.False(H264SequenceParameterSet.TryParse(Convert.FromHexString(hex), out _), what);
    }

    [Fact]
    public void Out_of_range_values_do_not_parse()
    {
        // High profile with chroma_format_idc 4.
        byte[] chroma = [0x67, .. BitString.ToBytes("01100100 00000000 00011110 1 00101" + "1 1 011 010 0" + Size320x240)];
        Assert.False(H264SequenceParameterSet.TryParse(chroma, out _));
        // pic_order_cnt_type 3.
        byte[] order = [0x67, .. BitString.ToBytes("01000010 11000000 00011110 1 1 00100 010 0" + Size320x240)];
        Assert.False(H264SequenceParameterSet.TryParse(order, out _));
    }
}
