using Switchboard.Protocols.Rtp;

namespace Switchboard.Protocols.Tests.Rtp;

/// <summary>
/// VP8 picture IDs and TL0PICIDX seen by one subscriber while the SFU switches it between simulcast layers that number
/// their pictures on their own: they continue from the newest one forwarded.
/// </summary>
public class PictureIdRewriterTests
{
    /// <summary>A VP8 descriptor with X I L T: 15-bit picture id, TL0PICIDX, TID 0; then one payload octet.</summary>
    private static byte[] Vp8(int pictureId, int tl0PicIdx) =>
        [0x90, 0xE0, (byte)(0x80 | (pictureId >> 8)), (byte)pictureId, (byte)tl0PicIdx, 0x00, 0x55];

    private static (int PictureId, int Tl0PicIdx) Read(byte[] payload)
    {
        Assert.True(PictureIdFields.TryLocate(VideoCodec.Vp8, payload, out var fields));
        return (fields.ReadPictureId(payload), fields.ReadTl0PicIdx(payload));
    }

    private static (int, int) Forward(PictureIdRewriter rewriter, int source, int pictureId, int tl0PicIdx)
    {
        byte[] payload = Vp8(pictureId, tl0PicIdx);
        rewriter.Rewrite(source, VideoCodec.Vp8, payload);
        Assert.Equal(0x55, payload[^1]);
        return Read(payload);
    }

    [Fact]
    public void The_first_source_keeps_its_numbers_and_the_next_continues_from_the_newest_forwarded()
    {
        var rewriter = new PictureIdRewriter();
        Assert.Equal((30000, 10), Forward(rewriter, 0, 30000, 10));
        Assert.Equal((30001, 11), Forward(rewriter, 0, 30001, 11));

        // The high layer numbers its pictures far behind: its keyframe becomes the next picture.
        Assert.Equal((30002, 12), Forward(rewriter, 2, 17, 200));
        Assert.Equal((30003, 13), Forward(rewriter, 2, 18, 201));
        Assert.Equal((30005, 15), Forward(rewriter, 2, 20, 203)); // a gap stays a gap
        Assert.Equal((30004, 14), Forward(rewriter, 2, 19, 202)); // and a late picture keeps its place

        // Back to the low layer: after the newest (30005), not after the last packet (30004).
        Assert.Equal((30006, 16), Forward(rewriter, 0, 30040, 50));
    }

    [Fact]
    public void Numbers_wrap_at_15_bits_and_8_bits()
    {
        var rewriter = new PictureIdRewriter();
        Assert.Equal((0x7FFF, 0xFF), Forward(rewriter, 0, 0x7FFF, 0xFF));
        Assert.Equal((0, 0), Forward(rewriter, 1, 5000, 77));
        Assert.Equal((1, 1), Forward(rewriter, 1, 5001, 78));
        Assert.Equal((2, 2), Forward(rewriter, 0, 3, 3)); // the new 1 counts as newer than 0x7FFF
    }

    [Fact]
    public void A_retransmission_takes_its_own_sources_numbers()
    {
        var rewriter = new PictureIdRewriter();
        Forward(rewriter, 0, 100, 1);
        Forward(rewriter, 2, 9000, 90);

        byte[] old = Vp8(100, 1); // of the previous source
        rewriter.RewriteRetransmission(0, VideoCodec.Vp8, old);
        Assert.Equal((100, 1), Read(old));
        byte[] current = Vp8(9000, 90);
        rewriter.RewriteRetransmission(2, VideoCodec.Vp8, current);
        Assert.Equal((101, 2), Read(current));
        byte[] unknown = Vp8(5, 5); // a source two switches back is sent as stored
        rewriter.RewriteRetransmission(7, VideoCodec.Vp8, unknown);
        Assert.Equal((5, 5), Read(unknown));
    }

    [Fact]
    public void Other_codecs_and_truncated_descriptors_are_left_alone()
    {
        var rewriter = new PictureIdRewriter();
        byte[] h264 = [0x7C, 0x85, 0x01];
        rewriter.Rewrite(0, VideoCodec.H264, h264);
        Assert.Equal([0x7C, 0x85, 0x01], h264);
        byte[] truncated = [0x90, 0x80];
        rewriter.Rewrite(0, VideoCodec.Vp8, truncated);
        Assert.Equal([0x90, 0x80], truncated);
    }
}
