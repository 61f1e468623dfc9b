using Switchboard.Protocols.Ice;

namespace Switchboard.Protocols.Tests.Ice;

public class Rfc4571FramingTests
{
    static byte[] Framed(params byte[][] frames)
    {
        var stream = new List<byte>();
        foreach (var frame in frames)
        {
            var header = new byte[Rfc4571Framing.HeaderLength];
            Assert.True(Rfc4571Framing.TryWriteHeader(header, frame.Length));
            stream.AddRange(header);
            stream.AddRange(frame);
        }
        return [.. stream];
    }

    [Fact]
    public void Whole_frame_is_read_with_its_header_consumed()
    {
        var buffer = Framed([1, 2, 3, 4, 5]);

        Assert.True(Rfc4571Framing.TryReadFrame(buffer, out var frame, out int consumed));

        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, frame.ToArray());
        Assert.Equal(7, consumed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Partial_header_needs_more_bytes(int available)
    {
        var buffer = Framed([1, 2, 3]);

        Assert.False(Rfc4571Framing.TryReadFrame(buffer.AsSpan(0, available), out var frame, out int consumed));

        Assert.True(frame.IsEmpty);
        Assert.Equal(0, consumed);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Partial_body_needs_more_bytes(int available)
    {
        var buffer = Framed([1, 2, 3]);

        Assert.False(Rfc4571Framing.TryReadFrame(buffer.AsSpan(0, available), out _, out int consumed));

        Assert.Equal(0, consumed);
    }

    [Fact]
    public void Two_frames_back_to_back_are_read_one_after_the_other_and_a_trailing_partial_waits()
    {
        var buffer = Framed([0xAA, 0xBB], [0xCC, 0xDD, 0xEE], [0x01, 0x02]).AsSpan(0, 2 + 2 + 2 + 3 + 2 + 1);

        Assert.True(Rfc4571Framing.TryReadFrame(buffer, out var first, out int consumed));
        Assert.Equal(new byte[] { 0xAA, 0xBB }, first.ToArray());
        buffer = buffer[consumed..];

        Assert.True(Rfc4571Framing.TryReadFrame(buffer, out var second, out consumed));
        Assert.Equal(new byte[] { 0xCC, 0xDD, 0xEE }, second.ToArray());
        buffer = buffer[consumed..];

        Assert.False(Rfc4571Framing.TryReadFrame(buffer, out _, out consumed));
        Assert.Equal(0, consumed);
        Assert.Equal(3, buffer.Length);
    }

    [Fact]
    public void Zero_length_frame_is_a_legal_empty_frame()
    {
        var buffer = Framed([], [9]);

        Assert.True(Rfc4571Framing.TryReadFrame(buffer, out var empty, out int consumed));
        Assert.True(empty.IsEmpty);
        Assert.Equal(2, consumed);

        Assert.True(Rfc4571Framing.TryReadFrame(buffer.AsSpan(consumed), out var next, out consumed));
        Assert.Equal(new byte[] { 9 }, next.ToArray());
        Assert.Equal(3, consumed);
    }

    [Fact]
    public void Largest_frame_of_65535_bytes_round_trips()
    {
        var body = new byte[Rfc4571Framing.MaxFrameLength];
        new Random(4571).NextBytes(body);
        var buffer = Framed(body);
        Assert.Equal(new byte[] { 0xFF, 0xFF }, buffer[..2]);

        Assert.False(Rfc4571Framing.TryReadFrame(buffer.AsSpan(0, buffer.Length - 1), out _, out _));
        Assert.True(Rfc4571Framing.TryReadFrame(buffer, out var frame, out int consumed));

        Assert.Equal(65537, consumed);
        Assert.True(frame.SequenceEqual(body));
    }

    [Theory]
    [InlineData(0, new byte[] { 0x00, 0x00 })]
    [InlineData(1, new byte[] { 0x00, 0x01 })]
    [InlineData(0x1234, new byte[] { 0x12, 0x34 })]
    [InlineData(65535, new byte[] { 0xFF, 0xFF })]
    public void Header_is_the_length_in_network_byte_order(int length, byte[] expected)
    {
        var header = new byte[3];

        Assert.True(Rfc4571Framing.TryWriteHeader(header, length));

        Assert.Equal(expected, header[..2]);
        Assert.Equal(0, header[2]);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    [InlineData(int.MaxValue)]
    public void Lengths_outside_0_to_65535_cannot_be_framed(int length)
    {
        var header = new byte[] { 0x5A, 0x5A };

        Assert.False(Rfc4571Framing.TryWriteHeader(header, length));

        Assert.Equal(new byte[] { 0x5A, 0x5A }, header);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Header_needs_two_bytes_of_room(int room)
    {
        var header = new byte[room];

        Assert.False(Rfc4571Framing.TryWriteHeader(header, 10));
    }
}
