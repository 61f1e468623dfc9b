using Switchboard.Protocols.Codecs;

namespace Switchboard.Protocols.Tests.Codecs;

/// <summary>AV1 OBUs in the low-overhead format (AV1 §5.2, §5.3) and the sequence header (§5.5) the depacketizer reads
/// the frame size from and the av1C record is built on.</summary>
public class Av1Tests
{
    // seq_profile 0, still_picture and reduced_still_picture_header 1, seq_level_idx 0, 16-bit sizes, 320x240, then the
    // six flags to enable_restoration: the header ends before color_config().
    static readonly byte[] ReducedHeaderToFrameSize = Convert.FromHexString("183FC04FC03BC0");

    [Fact]
    public void A_temporal_unit_splits_into_its_obus_with_and_without_extension_and_size_field()
    {
        // A temporal delimiter with obu_size 0, a frame OBU with an extension header and obu_size 2, a padding OBU
        // without a size field (the rest).
        byte[] unit = Convert.FromHexString("1200" + "36" + "28" + "02" + "AABB" + "78" + "CCDD");
        var obus = new List<Av1Obu>();
        Assert.True(Av1Obus.TryParse(unit, obus));
        Assert.Equal(
            [new Av1Obu(0..2, Av1Obus.TemporalDelimiter, 2..2), new Av1Obu(2..7, 6, 5..7), new Av1Obu(7..10, Av1Obus.Padding, 8..10)],
            obus);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("9200", "the forbidden bit set")]
    [InlineData("1205AABB", "a size past the end")]
    [InlineData("36", "an extension header missing")]
    [InlineData("1280", "a size field cut short")]
    public void A_malformed_temporal_unit_does_not_parse(string hex, string what)
    {
        Assert.False(Av1Obus.TryParse(Convert.FromHexString(hex), []), what);
    }

    [Fact]
    public void One_obu_read_from_an_offset_moves_the_offset_past_it()
    {
        byte[] data = Convert.FromHexString("3202AABB" + "1200");
        int offset = 0;
        Assert.True(Av1Obus.TryRead(data, ref offset, out var obu));
        Assert.Equal((new Av1Obu(0..4, 6, 2..4), 4), (obu, offset));
        Assert.True(Av1Obus.TryRead(data, ref offset, out _));
        Assert.False(Av1Obus.TryRead(data, ref offset, out _));
    }

    [Fact]
    public void The_maximum_frame_size_reads_from_a_header_that_ends_before_its_color_config()
    {
        Assert.True(Av1SequenceHeader.TryReadMaxFrameSize(ReducedHeaderToFrameSize, out int width, out int height));
        Assert.Equal((320, 240), (width, height));
        Assert.False(Av1SequenceHeader.TryParse(ReducedHeaderToFrameSize, out _));
        Assert.False(Av1SequenceHeader.TryReadMaxFrameSize(ReducedHeaderToFrameSize[..4], out _, out _));
    }

    [Fact]
    public void The_whole_header_gives_profile_level_and_color_config()
    {
        // color_config(): high_bitdepth 1, mono_chrome 0, no color description, color_range 0 (profile 0: 4:2:0),
        // chroma_sample_position 1.
        byte[] header = [.. ReducedHeaderToFrameSize, .. BitString.ToBytes("1 0 0 0 01")];
        Assert.True(Av1SequenceHeader.TryParse(header, out var parsed));
        Assert.Equal(new Av1SequenceHeader(0, 0, 0, 320, 240, true, false, false, true, true, 1), parsed);
    }
}
