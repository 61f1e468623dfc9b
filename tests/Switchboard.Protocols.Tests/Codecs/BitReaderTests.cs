using Switchboard.Protocols.Codecs;

namespace Switchboard.Protocols.Tests.Codecs;

/// <summary>The bitstream reader under the codec parsers: fixed-width fields, ue(v)/se(v) (H.264 §9.1), uvlc() (AV1
/// §4.10.3), and reading past the end.</summary>
public class BitReaderTests
{
    [Fact]
    public void Fields_are_read_most_significant_bit_first_and_past_the_end_give_zeros_and_an_overrun()
    {
        var bits = new BitReader([0xA5, 0x0F]);
        Assert.Equal(0xAu, bits.ReadBits(4));
        Assert.False(bits.ReadFlag());
        Assert.Equal(1u, bits.ReadBit());
        bits.Skip(2);
        Assert.Equal(0x0Fu, bits.ReadBits(8));
        Assert.False(bits.Overrun);
        Assert.Equal(0u, bits.ReadBits(3));
        Assert.True(bits.Overrun);
    }

    [Theory]
    [InlineData("1", 0u, 0L)]
    [InlineData("010", 1u, 1L)]
    [InlineData("011", 2u, -1L)]
    [InlineData("00100", 3u, 2L)]
    [InlineData("00101", 4u, -2L)]
    [InlineData("0001000", 7u, 4L)]
    public void Exp_golomb_codes_read_as_unsigned_and_signed_values(string code, uint unsigned, long signed)
    {
        var bits = new BitReader(BitString.ToBytes(code));
        Assert.Equal(unsigned, bits.ReadExpGolomb());
        bits = new BitReader(BitString.ToBytes(code));
        Assert.Equal(signed, bits.ReadSignedExpGolomb());
        Assert.False(bits.Overrun);
    }

    [Fact]
    public void An_exp_golomb_code_of_more_than_31_leading_zeros_is_an_overrun()
    {
        var bits = new BitReader(BitString.ToBytes(new string('0', 32) + "1" + new string('0', 32)));
        Assert.Equal(0u, bits.ReadExpGolomb());
        Assert.True(bits.Overrun);
    }

    [Fact]
    public void Uvlc_reads_its_value_and_32_leading_zeros_give_the_largest_value()
    {
        var bits = new BitReader(BitString.ToBytes("00101" + new string('0', 32) + "1" + "1"));
        Assert.Equal(4u, bits.ReadUvlc());
        Assert.Equal(uint.MaxValue, bits.ReadUvlc());
        Assert.True(bits.ReadFlag()); // the bit after the code: its one was consumed
        Assert.False(bits.Overrun);
    }
}
