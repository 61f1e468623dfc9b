using Switchboard.Protocols.Rtp;

namespace Switchboard.Protocols.Tests.Rtp;

/// <summary>Picture ID and TL0PICIDX located in VP8 and VP9 payload descriptors, read and written in place.</summary>
public class PictureIdFieldsTests
{
    [Theory]
    // VP8 (RFC 7741 §4.2): X I, 7-bit picture id 42.
    [InlineData(VideoCodec.Vp8, "90802A" + "10", 2, false, -1, 42, -1)]
    // X I L T: 15-bit picture id 0x1234, TL0PICIDX 7, then TID/Y/KEYIDX.
    [InlineData(VideoCodec.Vp8, "90E0" + "9234" + "07" + "40" + "10", 2, true, 4, 0x1234, 7)]
    // X L without I.
    [InlineData(VideoCodec.Vp8, "9040" + "09" + "10", -1, false, 2, -1, 9)]
    // No extension octet.
    [InlineData(VideoCodec.Vp8, "10" + "1002", -1, false, -1, -1, -1)]
    // VP9 (RFC 9628 §4.2): I B, 15-bit picture id 0x7FFF.
    [InlineData(VideoCodec.Vp9, "88" + "FFFF" + "82", 1, true, -1, 0x7FFF, -1)]
    // I L B, non-flexible: layer byte then TL0PICIDX 200.
    [InlineData(VideoCodec.Vp9, "A8" + "05" + "00" + "C8" + "82", 1, false, 3, 5, 200)]
    // I L F B, flexible: no TL0PICIDX.
    [InlineData(VideoCodec.Vp9, "B8" + "8005" + "00" + "82", 1, true, -1, 5, -1)]
    public void Fields_are_found_where_the_descriptor_puts_them(VideoCodec codec, string hex, int pictureIdOffset, bool longPictureId,
        int tl0PicIdxOffset, int pictureId, int tl0PicIdx)
    {
        byte[] payload = Convert.FromHexString(hex);
        Assert.True(PictureIdFields.TryLocate(codec, payload, out var fields));
        Assert.Equal(new PictureIdFields(pictureIdOffset, longPictureId, tl0PicIdxOffset), fields);
        if (fields.HasPictureId) Assert.Equal(pictureId, fields.ReadPictureId(payload));
        if (fields.HasTl0PicIdx) Assert.Equal(tl0PicIdx, fields.ReadTl0PicIdx(payload));
    }

    [Theory]
    [InlineData(VideoCodec.Vp8, "")]
    [InlineData(VideoCodec.Vp8, "90")] // extension octet missing
    [InlineData(VideoCodec.Vp8, "9080")] // picture id missing
    [InlineData(VideoCodec.Vp8, "908092")] // second octet of a 15-bit picture id missing
    [InlineData(VideoCodec.Vp8, "90C02A")] // TL0PICIDX missing
    [InlineData(VideoCodec.Vp9, "")]
    [InlineData(VideoCodec.Vp9, "88")] // picture id missing
    [InlineData(VideoCodec.Vp9, "A805")] // layer byte missing
    [InlineData(VideoCodec.Vp9, "A80500")] // TL0PICIDX missing
    [InlineData(VideoCodec.H264, "7C85")] // no picture id in H.264
    [InlineData(VideoCodec.Av1, "1800")]
    public void Truncated_descriptors_and_other_codecs_are_not_located(VideoCodec codec, string hex)
    {
        Assert.False(PictureIdFields.TryLocate(codec, Convert.FromHexString(hex), out var fields));
        Assert.Equal(PictureIdFields.None, fields);
    }

    [Fact]
    public void Writing_keeps_the_m_bit_and_the_field_width_and_nothing_else_changes()
    {
        byte[] payload = Convert.FromHexString("90E0" + "9234" + "07" + "40" + "10");
        Assert.True(PictureIdFields.TryLocate(VideoCodec.Vp8, payload, out var fields));
        fields.WritePictureId(payload, 0x8000 + 0x0102); // beyond 15 bits: the low 15 are written
        fields.WriteTl0PicIdx(payload, 0xAB);
        Assert.Equal("90E0" + "8102" + "AB" + "40" + "10", Convert.ToHexString(payload));

        byte[] shortId = Convert.FromHexString("90802A10");
        Assert.True(PictureIdFields.TryLocate(VideoCodec.Vp8, shortId, out var shortFields));
        Assert.Equal(0x80, shortFields.PictureIdModulus);
        shortFields.WritePictureId(shortId, 0x1FF);
        Assert.Equal("90807F10", Convert.ToHexString(shortId));
    }
}
