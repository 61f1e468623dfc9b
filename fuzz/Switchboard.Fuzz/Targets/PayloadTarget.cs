using Switchboard.Protocols.Rtp;

namespace Switchboard.Fuzz;

/// <summary>
/// A video RTP payload of one codec: <see cref="KeyframeDetector"/> (the descriptor and the codec header's first
/// bytes) and, for VP8 and VP9, <see cref="PictureIdFields"/> (fields read and written in place) and
/// <see cref="PictureIdRewriter"/> across a source switch. Never throws; a descriptor longer than the payload is not
/// located.
/// </summary>
public static class PayloadTarget
{
    public static void Run(VideoCodec codec, ReadOnlySpan<byte> data)
    {
        KeyframeDetector.IsKeyframeStart(codec, data);
        if (!PictureIdFields.TryLocate(codec, data, out var fields)) return;
        FuzzInvariantException.Check(codec is VideoCodec.Vp8 or VideoCodec.Vp9, "picture id located in another codec");
        var payload = data.ToArray();
        if (fields.HasPictureId)
        {
            FuzzInvariantException.Check(fields.PictureIdOffset + (fields.LongPictureId ? 2 : 1) <= payload.Length, "picture id past the payload");
            int pictureId = fields.ReadPictureId(payload);
            FuzzInvariantException.Check(pictureId >= 0 && pictureId < fields.PictureIdModulus, "picture id out of range");
            fields.WritePictureId(payload, pictureId + 1);
        }
        if (fields.HasTl0PicIdx)
        {
            FuzzInvariantException.Check(fields.Tl0PicIdxOffset < payload.Length, "TL0PICIDX past the payload");
            fields.WriteTl0PicIdx(payload, (byte)(fields.ReadTl0PicIdx(payload) + 1));
        }

        var rewriter = new PictureIdRewriter();
        rewriter.Rewrite(1, codec, payload);
        rewriter.Rewrite(2, codec, payload);
        rewriter.RewriteRetransmission(1, codec, payload);
        rewriter.RewriteRetransmission(3, codec, payload);
        FuzzInvariantException.Check(PictureIdFields.TryLocate(codec, payload, out var after) && after == fields, "rewriting moved the fields");
    }
}
