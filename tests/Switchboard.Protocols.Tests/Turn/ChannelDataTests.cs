using Switchboard.Protocols.Turn;

namespace Switchboard.Protocols.Tests.Turn;

public class ChannelDataTests
{
    [Theory]
    [InlineData(false, 5, 9)]
    [InlineData(true, 5, 12)]
    [InlineData(true, 8, 12)]
    [InlineData(false, 0, 4)]
    public void Write_PadsOnlyOnStreams(bool stream, int dataLength, int wireLength)
    {
        var buffer = new byte[64];
        buffer.AsSpan().Fill(0xEE);
        int written = ChannelData.Write(buffer, 0x4001, new byte[dataLength], stream);
        Assert.Equal(wireLength, written);
        Assert.All(buffer.AsSpan(4 + dataLength, written - 4 - dataLength).ToArray(), b => Assert.Equal(0, b));
        Assert.True(ChannelData.TryParse(buffer.AsSpan(0, written), out var channel, out var data));
        Assert.Equal(0x4001, channel);
        Assert.Equal(dataLength, data.Length);
    }

    [Theory]
    [InlineData("3fff0000")]     // channel below 0x4000
    [InlineData("80000000")]     // channel above 0x7FFF
    [InlineData("40000005aabb")] // length past the end
    [InlineData("4000")]         // truncated header
    public void BadMessages_AreRejected(string hex)
    {
        Assert.False(ChannelData.TryParse(Convert.FromHexString(hex), out _, out _));
    }

    [Fact]
    public void DemultiplexesByFirstByte()
    {
        Assert.True(ChannelData.IsChannelData([0x40, 0, 0, 0]));
        Assert.True(ChannelData.IsChannelData([0x4F, 0xFF, 0, 0]));
        Assert.False(ChannelData.IsChannelData([0x00, 0x01]));
        Assert.True(ChannelData.IsChannelData([0x7F, 0xFF, 0, 0]));
        Assert.False(ChannelData.IsChannelData([0x80, 0x00]));
    }
}
