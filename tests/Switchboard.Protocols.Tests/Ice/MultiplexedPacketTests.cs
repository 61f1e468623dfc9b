using Switchboard.Protocols.Ice;

namespace Switchboard.Protocols.Tests.Ice;

/// <summary>RFC 7983 §7: the first byte tells STUN, ZRTP, DTLS, TURN channels and RTP/RTCP apart; RFC 5761 §4 tells RTCP from RTP.</summary>
public class MultiplexedPacketTests
{
    static MultiplexedPacketKind Classify(byte first, byte second = 96) => MultiplexedPacket.Classify([first, second, 0, 0]);

    [Theory]
    [InlineData(0, 3, MultiplexedPacketKind.Stun)]
    [InlineData(4, 15, MultiplexedPacketKind.Unknown)] // unassigned
    [InlineData(16, 19, MultiplexedPacketKind.Unknown)] // ZRTP
    [InlineData(20, 63, MultiplexedPacketKind.Dtls)]
    [InlineData(64, 79, MultiplexedPacketKind.Unknown)] // TURN channel
    [InlineData(80, 127, MultiplexedPacketKind.Unknown)] // unassigned
    [InlineData(128, 191, MultiplexedPacketKind.Rtp)]
    [InlineData(192, 255, MultiplexedPacketKind.Unknown)] // unassigned
    public void Every_first_byte_range_is_classified(int from, int to, MultiplexedPacketKind expected)
    {
        for (int first = from; first <= to; first++)
            Assert.True(Classify((byte)first) == expected, $"first byte {first}: {Classify((byte)first)}, expected {expected}");
    }

    [Fact]
    public void Second_byte_192_to_223_is_rtcp_and_anything_else_is_rtp()
    {
        for (int second = 0; second <= 255; second++)
        {
            var expected = second is >= 192 and <= 223 ? MultiplexedPacketKind.Rtcp : MultiplexedPacketKind.Rtp;
            Assert.True(Classify(0x80, (byte)second) == expected, $"second byte {second}");
            Assert.True(Classify(0xBF, (byte)second) == expected, $"second byte {second} after 0xBF");
        }
    }

    [Theory]
    [InlineData(200, MultiplexedPacketKind.Rtcp)] // sender report
    [InlineData(201, MultiplexedPacketKind.Rtcp)] // receiver report
    [InlineData(205, MultiplexedPacketKind.Rtcp)] // transport feedback
    [InlineData(206, MultiplexedPacketKind.Rtcp)] // payload-specific feedback
    [InlineData(111, MultiplexedPacketKind.Rtp)] // Opus without marker
    [InlineData(128 + 96, MultiplexedPacketKind.Rtp)] // VP8 with marker, just above the RTCP range
    [InlineData(191, MultiplexedPacketKind.Rtp)] // marker with payload type 63, just below the RTCP range
    public void Typical_rtp_and_rtcp_packets(int second, MultiplexedPacketKind expected) =>
        Assert.Equal(expected, Classify(0x80, (byte)second));

    [Fact]
    public void Empty_input_is_unknown() => Assert.Equal(MultiplexedPacketKind.Unknown, MultiplexedPacket.Classify([]));

    [Theory]
    [InlineData(0x00, MultiplexedPacketKind.Stun)]
    [InlineData(0x16, MultiplexedPacketKind.Dtls)]
    [InlineData(0x80, MultiplexedPacketKind.Unknown)] // RTP or RTCP cannot be told from one byte
    [InlineData(0xFF, MultiplexedPacketKind.Unknown)]
    public void One_byte_input_is_classified_by_its_first_byte_only(byte first, MultiplexedPacketKind expected) =>
        Assert.Equal(expected, MultiplexedPacket.Classify([first]));
}
