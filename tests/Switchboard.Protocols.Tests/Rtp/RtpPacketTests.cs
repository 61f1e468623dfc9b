using Switchboard.Protocols.Rtp;

namespace Switchboard.Protocols.Tests.Rtp;

public class RtpPacketTests
{
    // A video packet as Chromium sends it: V=2 X=1, M=1 PT=96, seq 0x1234, ts 0x00010203, SSRC 0xCAFEBABE, then a
    // one-byte header extension (0xBEDE, 3 words): mid (id 1) "0", transport-wide-cc (id 3) 0x0102,
    // abs-send-time (id 2) 0x0A0B0C, padding, then 4 bytes of payload.
    static readonly byte[] Chromium = Convert.FromHexString(
        "90E01234" + "00010203" + "CAFEBABE" +
        "BEDE0003" + "1030" + "310102" + "220A0B0C" + "000000" +
        "DEADBEEF");

    [Fact]
    public void Reads_the_header_and_one_byte_extensions()
    {
        Assert.True(RtpPacket.TryParse(Chromium, out var rtp));
        Assert.True(rtp.Marker);
        Assert.Equal(96, rtp.PayloadType);
        Assert.Equal(0x1234, rtp.SequenceNumber);
        Assert.Equal(0x00010203u, rtp.Timestamp);
        Assert.Equal(0xCAFEBABEu, rtp.Ssrc);
        Assert.Equal(28, rtp.HeaderLength);
        Assert.Equal("DEADBEEF", Convert.ToHexString(rtp.Payload));
        Assert.True(rtp.Extensions.IsOneByte);

        Assert.True(rtp.TryGetExtension(1, out var mid));
        Assert.Equal("0", RtpExtensionValues.ReadIdentifier(mid));
        Assert.True(rtp.TryGetExtension(3, out var twcc));
        Assert.True(RtpExtensionValues.TryReadTransportSequenceNumber(twcc, out var transportSequence));
        Assert.Equal(0x0102, transportSequence);
        Assert.True(rtp.TryGetExtension(2, out var abs));
        Assert.True(RtpExtensionValues.TryReadAbsSendTime(abs, out var sendTime));
        Assert.Equal(0x0A0B0Cu, sendTime);
        Assert.False(rtp.TryGetExtension(4, out _));
    }

    [Fact]
    public void Writer_round_trips_in_the_one_byte_and_the_two_byte_form()
    {
        var buffer = new byte[200];
        RtpExtensionElement[] small = [new(1, "1"u8.ToArray()), new(10, new byte[] { 0x80 | 33 })];
        int length = RtpPacketWriter.Write(buffer, marker: false, 111, 7, 960, 0x11, small, "opus"u8);
        Assert.True(RtpPacket.TryParse(buffer.AsSpan(0, length), out var rtp));
        Assert.True(rtp.Extensions.IsOneByte);
        Assert.True(rtp.TryGetExtension(10, out var level));
        Assert.True(RtpExtensionValues.TryReadAudioLevel(level, out var voice, out var dbov));
        Assert.True(voice);
        Assert.Equal(33, dbov);
        Assert.Equal("opus"u8.ToArray(), rtp.Payload.ToArray());

        // An id above 14 (or a value longer than 16 bytes) needs the two-byte form.
        RtpExtensionElement[] large = [new(20, new byte[20]), new(1, "hi"u8.ToArray())];
        length = RtpPacketWriter.Write(buffer, marker: true, 96, 8, 3000, 0x22, large, [1, 2, 3]);
        Assert.True(RtpPacket.TryParse(buffer.AsSpan(0, length), out rtp));
        Assert.True(rtp.Extensions.IsTwoByte);
        Assert.True(rtp.TryGetExtension(20, out var twenty));
        Assert.Equal(20, twenty.Length);
        Assert.True(rtp.TryGetExtension(1, out var rid));
        Assert.Equal("hi", RtpExtensionValues.ReadIdentifier(rid));
        Assert.Equal(-1, RtpPacketWriter.Write(new byte[10], false, 96, 1, 1, 1, [], new byte[20]));
    }

    [Fact]
    public void Rewriter_changes_sequence_timestamp_ssrc_payload_type_and_an_extension_in_place()
    {
        var packet = (byte[])Chromium.Clone();
        RtpHeaderRewriter.SetSequenceNumber(packet, 9);
        RtpHeaderRewriter.SetTimestamp(packet, 90_000);
        RtpHeaderRewriter.SetSsrc(packet, 0x12345678);
        RtpHeaderRewriter.SetPayloadType(packet, 100);
        Assert.True(RtpHeaderRewriter.TrySetExtension(packet, 3, [0xAB, 0xCD]));
        Assert.False(RtpHeaderRewriter.TrySetExtension(packet, 3, [0xAB]));
        Assert.True(RtpPacket.TryParse(packet, out var rtp));
        Assert.Equal((9, 90_000u, 0x12345678u, 100, true), (rtp.SequenceNumber, rtp.Timestamp, rtp.Ssrc, (int)rtp.PayloadType, rtp.Marker));
        Assert.True(rtp.TryGetExtension(3, out var twcc));
        Assert.True(RtpExtensionValues.TryReadTransportSequenceNumber(twcc, out var sequence));
        Assert.Equal(0xABCD, sequence);
    }

    [Theory]
    [InlineData("80600001000000010000000")] // 11.5 bytes: not even the fixed header
    [InlineData("40600001000000010000000100")] // version 1
    [InlineData("8260000100000001000000010000000A")] // two CSRCs announced, one present
    [InlineData("9060000100000001000000010000BEDE00FF")] // extension length past the end
    [InlineData("A0600001000000010000000100000000")] // padding count 0
    [InlineData("A06000010000000100000001000000FF")] // padding longer than the packet
    public void Malformed_packets_are_refused(string hex)
    {
        var bytes = Convert.FromHexString(hex.Length % 2 == 0 ? hex : hex + "0")[..(hex.Length / 2)];
        Assert.False(RtpPacket.TryParse(bytes, out _));
    }

    [Fact]
    public void Padding_is_left_out_of_the_payload_and_a_one_byte_id_15_stops_the_extensions()
    {
        var padded = Convert.FromHexString("A0600001000000010000000111223344000003");
        Assert.True(RtpPacket.TryParse(padded, out var rtp));
        Assert.Equal("11223344", Convert.ToHexString(rtp.Payload));
        Assert.Equal(3, rtp.PaddingLength);

        var stop = Convert.FromHexString("900000010000000100000001BEDE0002" + "1030" + "F0" + "2041" + "000000");
        Assert.True(RtpPacket.TryParse(stop, out rtp));
        Assert.True(rtp.TryGetExtension(1, out _));
        Assert.False(rtp.TryGetExtension(2, out _));
    }

    [Fact]
    public void Random_datagrams_never_throw_and_accepted_ones_stay_in_bounds()
    {
        var random = new Random(3);
        for (int i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);
            if (bytes.Length > 0) bytes[0] = (byte)(0x80 | (bytes[0] & 0x3F));
            if (!RtpPacket.TryParse(bytes, out var rtp)) continue;
            Assert.InRange(rtp.HeaderLength + rtp.Payload.Length + rtp.PaddingLength, 12, bytes.Length);
            foreach (var element in rtp.Extensions) Assert.InRange(element.Value.Length, 0, 255);
        }
    }

    [Fact]
    public void Parsing_and_extension_lookup_allocate_nothing()
    {
        static int Work()
        {
            RtpPacket.TryParse(Chromium, out var rtp);
            rtp.TryGetExtension(3, out var twcc);
            RtpExtensionValues.TryReadTransportSequenceNumber(twcc, out var sequence);
            return sequence + rtp.Payload.Length;
        }
        Work();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) Work();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
