using Switchboard.Protocols.Codecs;

namespace Switchboard.Protocols.Tests.Codecs;

/// <summary>leb128() (AV1 §4.10.5): the shortest encoding written, at most 8 octets and 2^32 - 1 read.</summary>
public class Leb128Tests
{
    [Theory]
    [InlineData(0u, "00")]
    [InlineData(127u, "7F")]
    [InlineData(128u, "8001")]
    [InlineData(300u, "AC02")]
    [InlineData(uint.MaxValue, "FFFFFFFF0F")]
    public void A_value_is_written_shortest_and_reads_back(uint value, string hex)
    {
        Span<byte> buffer = stackalloc byte[Leb128.MaxLength];
        int length = Leb128.Write(buffer, value);
        Assert.Equal(hex, Convert.ToHexString(buffer[..length]));

        int offset = 0;
        Assert.True(Leb128.TryRead(buffer[..length], ref offset, out ulong read));
        Assert.Equal((value, length), ((uint)read, offset));
    }

    [Theory]
    [InlineData("80", "no last octet")]
    [InlineData("FFFFFFFF1F", "over 2^32 - 1")]
    [InlineData("8080808080808080" + "00", "more than 8 octets")]
    public void A_malformed_value_does_not_read(string hex, string what)
    {
        int offset = 0;
        Assert.False(Leb128.TryRead(Convert.FromHexString(hex), ref offset, out _), what);
    }
}
