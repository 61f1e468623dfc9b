using System.Buffers.Binary;
using Switchboard.Protocols.Rtp;

namespace Switchboard.Protocols.Tests.Rtp;

/// <summary>RTX (RFC 4588 §4): wrapping a packet for retransmission and unwrapping it back.</summary>
public class RtxPacketTests
{
    const byte Vp8 = 96, Rtx = 97;
    const uint MediaSsrc = 0x1111_2222, RtxSsrc = 0x3333_4444;

    /// <summary>An RTP packet: optional CSRCs, a one-byte header extension (mid "0" and a transport-wide sequence number), payload, padding.</summary>
    static byte[] Original(int csrcs, bool extension, int payloadLength, int padding, bool marker = true)
    {
        int header = 12 + 4 * csrcs + (extension ? 12 : 0);
        var packet = new byte[header + payloadLength + padding];
        packet[0] = (byte)(0x80 | (padding > 0 ? 0x20 : 0) | (extension ? 0x10 : 0) | csrcs);
        packet[1] = (byte)((marker ? 0x80 : 0) | Vp8);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 0xFFF0);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), 0xA0B0C0D0);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), MediaSsrc);
        for (int i = 0; i < csrcs; i++) BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(12 + 4 * i), 0xC0000000u + (uint)i);
        if (extension) Convert.FromHexString("BEDE0002" + "1030" + "310102" + "000000").CopyTo(packet, 12 + 4 * csrcs);
        for (int i = 0; i < payloadLength; i++) packet[header + i] = (byte)(i * 7 + 1);
        if (padding > 0) packet[^1] = (byte)padding;
        return packet;
    }

    /// <summary>What the receiver gets back: the original without padding and with the P bit cleared.</summary>
    static byte[] WithoutPadding(byte[] packet)
    {
        Assert.True(RtpPacket.TryParse(packet, out var rtp));
        var bytes = packet[..(packet.Length - rtp.PaddingLength)];
        bytes[0] &= 0xDF;
        return bytes;
    }

    [Theory]
    [InlineData(0, false, 100, 0)]
    [InlineData(2, false, 100, 0)]
    [InlineData(0, true, 1200, 0)]
    [InlineData(3, true, 1, 0)]
    [InlineData(1, true, 50, 4)]
    [InlineData(0, false, 0, 0)] // an empty payload still carries its OSN
    [InlineData(0, false, 20, 255)]
    public void Wrap_then_unwrap_gives_back_the_original(int csrcs, bool extension, int payloadLength, int padding)
    {
        var original = Original(csrcs, extension, payloadLength, padding);
        var buffer = new byte[1500];
        int length = RtxPacket.Wrap(original, buffer, Rtx, RtxSsrc, 7);
        Assert.Equal(original.Length - padding + 2, length);

        Assert.True(RtpPacket.TryParse(buffer.AsSpan(0, length), out var rtx));
        Assert.Equal((Rtx, RtxSsrc, (ushort)7, 0xA0B0C0D0u, true, csrcs, 0), (rtx.PayloadType, rtx.Ssrc, rtx.SequenceNumber, rtx.Timestamp, rtx.Marker, rtx.CsrcCount, rtx.PaddingLength));
        for (int i = 0; i < csrcs; i++) Assert.Equal(0xC0000000u + (uint)i, rtx.Csrc(i));
        Assert.Equal(extension, rtx.TryGetExtension(3, out _));
        Assert.Equal(0xFFF0, BinaryPrimitives.ReadUInt16BigEndian(rtx.Payload)); // OSN
        Assert.True(RtpPacket.TryParse(original, out var rtp));
        Assert.Equal(rtp.Payload.ToArray(), rtx.Payload[2..].ToArray());

        Assert.True(RtxPacket.TryUnwrap(buffer, length, Vp8, MediaSsrc, out int originalLength));
        Assert.Equal(WithoutPadding(original), buffer[..originalLength]);
    }

    [Fact]
    public void Wrap_works_in_place_when_the_buffer_has_two_bytes_more()
    {
        var original = Original(1, true, 300, 0, marker: false);
        var buffer = new byte[original.Length + 2];
        original.CopyTo(buffer, 0);
        int length = RtxPacket.Wrap(buffer.AsSpan(0, original.Length), buffer, Rtx, RtxSsrc, 1000);
        Assert.Equal(buffer.Length, length);
        Assert.True(RtxPacket.TryUnwrap(buffer, length, Vp8, MediaSsrc, out int originalLength));
        Assert.Equal(original, buffer[..originalLength]);
    }

    [Fact]
    public void Wrap_refuses_an_invalid_packet_or_a_small_destination()
    {
        var original = Original(0, true, 100, 0);
        Assert.Equal(-1, RtxPacket.Wrap(original.AsSpan(0, 11), new byte[1500], Rtx, RtxSsrc, 1));
        Assert.Equal(-1, RtxPacket.Wrap(original.AsSpan(0, 20), new byte[1500], Rtx, RtxSsrc, 1)); // extension cut
        Assert.Equal(-1, RtxPacket.Wrap(original, new byte[original.Length + 1], Rtx, RtxSsrc, 1));
        Assert.Equal(original.Length + 2, RtxPacket.Wrap(original, new byte[original.Length + 2], Rtx, RtxSsrc, 1));
    }

    [Fact]
    public void Padding_only_probes_and_packets_without_an_osn_are_refused()
    {
        // Chromium probes the bandwidth with RTX packets of padding only: header, then 255 bytes of padding.
        var probe = new byte[12 + 255];
        probe[0] = 0xA0;
        probe[1] = Rtx;
        BinaryPrimitives.WriteUInt32BigEndian(probe.AsSpan(8), RtxSsrc);
        probe[^1] = 255;
        Assert.False(RtxPacket.TryUnwrap(probe, probe.Length, Vp8, MediaSsrc, out int length));
        Assert.Equal(0, length);

        var oneByte = Original(0, false, 1, 0);
        Assert.False(RtxPacket.TryUnwrap(oneByte, oneByte.Length, Vp8, MediaSsrc, out _));
        var rtx = new byte[100];
        int rtxLength = RtxPacket.Wrap(Original(0, false, 10, 0), rtx, Rtx, RtxSsrc, 1);
        Assert.False(RtxPacket.TryUnwrap(rtx, 11, Vp8, MediaSsrc, out _)); // shorter than a header
        Assert.False(RtxPacket.TryUnwrap(rtx, rtx.Length + 1, Vp8, MediaSsrc, out _)); // longer than the buffer
        Assert.False(RtxPacket.TryUnwrap(rtx, -1, Vp8, MediaSsrc, out _));
        Assert.True(RtxPacket.TryUnwrap(rtx, rtxLength, Vp8, MediaSsrc, out _));
    }

    [Fact]
    public void An_rtx_packet_with_padding_unwraps_without_it()
    {
        // RTX header with P=1, OSN 0x0102, payload AABB, 3 bytes of padding.
        var rtx = Convert.FromHexString("A0E1" + "0005" + "00000064" + "33334444" + "0102" + "AABB" + "000003");
        Assert.True(RtxPacket.TryUnwrap(rtx, rtx.Length, Vp8, MediaSsrc, out int length));
        Assert.Equal("80E0" + "0102" + "00000064" + "11112222" + "AABB", Convert.ToHexString(rtx, 0, length));
    }
}
