using System.Buffers.Binary;
using Switchboard.Protocols.DataChannels;

namespace Switchboard.Protocols.Tests.DataChannels;

public class DcepMessageTests
{
    [Theory]
    [InlineData(true, null, null, 0x00)]
    [InlineData(false, null, null, 0x80)]
    [InlineData(true, 3, null, 0x01)]
    [InlineData(false, 0, null, 0x81)]
    [InlineData(true, null, 500, 0x02)]
    [InlineData(false, null, 500, 0x82)]
    public void Open_round_trips_every_channel_type_of_rfc_8832(bool ordered, int? maxRetransmits, int? lifetime, byte channelType)
    {
        var reliability = new DataChannelReliability(ordered, maxRetransmits, lifetime);
        byte[] open = DcepMessage.WriteOpen("chat ✓", "switchboard-data/1", reliability);

        Assert.Equal(DcepMessage.OpenType, open[0]);
        Assert.Equal(channelType, open[1]);
        Assert.Equal((uint)(maxRetransmits ?? lifetime ?? 0), BinaryPrimitives.ReadUInt32BigEndian(open.AsSpan(4)));
        Assert.True(DcepMessage.TryReadOpen(open, out var read));
        Assert.Equal(("chat ✓", "switchboard-data/1", reliability), (read.Label, read.Protocol, read.Reliability));
    }

    [Fact]
    public void Chromium_open_for_an_unordered_channel_without_retransmissions_is_read()
    {
        // What Chromium sends for createDataChannel('lossy', { ordered: false, maxRetransmits: 0 }).
        byte[] open = [0x03, 0x81, 0x01, 0x00, 0, 0, 0, 0, 0, 5, 0, 0, .. "lossy"u8];

        Assert.True(DcepMessage.TryReadOpen(open, out var read));
        Assert.Equal("lossy", read.Label);
        Assert.Equal("", read.Protocol);
        Assert.Equal(DataChannelReliability.Lossy, read.Reliability);
        Assert.Equal(256, read.Priority);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, (byte)'a' })] // label runs past the end
    [InlineData(new byte[] { 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF })] // protocol runs past the end
    [InlineData(new byte[] { 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })] // unknown channel type
    [InlineData(new byte[] { 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0xFF })] // label not UTF-8
    [InlineData(new byte[] { 0x02 })] // an ACK is not an OPEN
    public void Malformed_opens_are_refused(byte[] message) => Assert.False(DcepMessage.TryReadOpen(message, out _));

    [Fact]
    public void Ack_is_one_byte()
    {
        Assert.Equal([0x02], DcepMessage.WriteAck());
        Assert.True(DcepMessage.IsAck([0x02]));
        Assert.False(DcepMessage.IsAck([]));
        Assert.False(DcepMessage.IsAck([0x03]));
    }
}
