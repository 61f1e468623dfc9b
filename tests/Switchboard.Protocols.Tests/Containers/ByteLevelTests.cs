using System.Buffers.Binary;
using System.Text;
using Switchboard.Protocols.Codecs;
using Switchboard.Protocols.Containers.Codecs;
using Switchboard.Protocols.Containers.Matroska;
using Switchboard.Protocols.Containers.Ogg;

namespace Switchboard.Protocols.Tests.Containers;

/// <summary>The encodings under the writers, byte for byte: EBML integers (RFC 8794 §4), the Ogg checksum (RFC 3533 §6),
/// Opus durations (RFC 6716 §3.1) and Annex B conversion.</summary>
public class ByteLevelTests
{
    [Theory]
    [InlineData(0UL, "80")]
    [InlineData(1UL, "81")]
    [InlineData(126UL, "FE")]
    [InlineData(127UL, "407F")] // 0xFF alone would read as "unknown"
    [InlineData(16382UL, "7FFE")]
    [InlineData(16383UL, "203FFF")]
    [InlineData(0x0FFF_FFFEUL, "1FFFFFFE")]
    public void An_ebml_vint_takes_the_shortest_length_that_is_not_all_ones(ulong value, string hex)
    {
        var buffer = new ByteBuffer();
        buffer.Vint(value);
        Assert.Equal(hex, Convert.ToHexString(buffer.Written));
    }

    [Fact]
    public void An_ebml_vint_of_a_chosen_length_is_padded_and_unknown_size_is_all_ones()
    {
        var buffer = new ByteBuffer();
        buffer.Vint(5, 4);
        buffer.Vint(Ebml.UnknownSize, 8);
        Assert.Equal("10000005" + "01FFFFFFFFFFFFFF", Convert.ToHexString(buffer.Written));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ebml.WriteVint(new byte[1], 128, 1));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(11)]
    [InlineData(128)]
    [InlineData(129)]
    [InlineData(1000)]
    public void A_void_element_fills_exactly_the_room_reserved(int length)
    {
        var buffer = new ByteBuffer();
        buffer.Void(length);
        Assert.Equal(length, buffer.Length);
        Assert.Equal(0xEC, buffer.Written[0]);
    }

    [Fact]
    public void Elements_are_written_as_id_size_and_big_endian_content()
    {
        var buffer = new ByteBuffer();
        buffer.Unsigned(MatroskaIds.TimestampScale, 1_000_000);
        buffer.String(MatroskaIds.DocType, "webm");
        buffer.Float(MatroskaIds.Duration, 1.5);
        Assert.Equal("2AD7B1" + "83" + "0F4240" + "4282" + "84" + "7765626D" + "4489" + "88" + "3FF8000000000000", Convert.ToHexString(buffer.Written));
    }

    [Fact]
    public void The_ogg_checksum_matches_the_known_crc32_vector()
    {
        // CRC-32 with polynomial 0x04C11DB7, initial 0, no reflection or final XOR: CRC-32/CKSUM's 0x765E7680 before its XOR.
        Assert.Equal(0x89A1897Fu, OggCrc.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void An_ogg_page_has_its_header_lacing_and_a_checksum_over_the_whole_page()
    {
        var page = new OggPage();
        page.Add(new byte[300]); // lacing 255, 45
        page.Add(new byte[255]); // lacing 255, 0
        var bytes = page.Build(OggPage.EndOfStream, 1920, 7, 3).ToArray();

        Assert.Equal("OggS", Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal((0, OggPage.EndOfStream), (bytes[4], bytes[5]));
        Assert.Equal(1920, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(6)));
        Assert.Equal((7u, 3u), (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(14)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(18))));
        Assert.Equal(new byte[] { 4, 255, 45, 255, 0 }, bytes[26..31]);
        Assert.Equal(27 + 4 + 555, bytes.Length);
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(22));
        bytes.AsSpan(22, 4).Clear();
        Assert.Equal(OggCrc.Compute(bytes), crc);
    }

    [Theory]
    [InlineData(new byte[] { 0xF8, 0xFF, 0xFE }, 960)] // CELT FB 20 ms, one frame
    [InlineData(new byte[] { 0x00 }, 480)] // SILK NB 10 ms (config 0)
    [InlineData(new byte[] { 0x1B, 0x02 }, 5760)] // SILK NB 60 ms (config 3), code 3, two frames
    [InlineData(new byte[] { 0x79, 0x00 }, 1920)] // hybrid FB 20 ms (config 15), code 1: two frames
    [InlineData(new byte[] { 0x63, 0x03 }, 1440)] // hybrid SWB 10 ms (config 12), code 3, three frames
    [InlineData(new byte[] { 0x83, 0x30 }, 5760)] // CELT NB 2.5 ms (config 16), code 3, 48 frames: 120 ms
    [InlineData(new byte[] { 0xFB, 0x07 }, 0)] // 7 x 20 ms: over 120 ms
    [InlineData(new byte[0], 0)]
    public void An_opus_packet_lasts_what_its_toc_byte_and_frame_count_say(byte[] packet, int samples)
    {
        Assert.Equal(samples, OpusPacket.SampleCount(packet));
    }

    [Fact]
    public void An_annex_b_access_unit_becomes_length_prefixed_nal_units_without_its_delimiter()
    {
        byte[] accessUnit = Convert.FromHexString("00000001" + "0910" + "00000001" + "6742" + "000001" + "68CE" + "000001" + "65888400" + "00");
        var output = new ByteBuffer();
        Assert.Equal(4 + 2 + 4 + 2 + 4 + 3, AnnexB.ToLengthPrefixed(accessUnit, output));
        Assert.Equal("00000002" + "6742" + "00000002" + "68CE" + "00000003" + "658884", Convert.ToHexString(output.Written));
    }
}
