namespace Switchboard.Protocols.Rtp;

/// <summary>
/// Keeps a VP8 or VP9 stream's picture IDs and TL0PICIDX continuous for one subscriber when the source behind it
/// changes, as <see cref="RtpStreamRewriter"/> does for sequence numbers. Each simulcast layer, and each new connection
/// of a publisher, numbers its pictures on its own; a receiver that sees the numbers jump looks for references it never
/// gets (Chromium drops such frames and freezes until its next keyframe request). The first packet of a new source
/// continues from the newest number forwarded; within a source the offsets stay fixed, so gaps stay gaps. Not
/// thread-safe: the owner serializes calls.
/// </summary>
public sealed class PictureIdRewriter
{
    private Offsets _current = Offsets.Unset, _previous = Offsets.Unset;
    private int _lastPictureId = -1, _lastTl0PicIdx = -1;

    /// <summary>Renumbers, in place, the payload of a packet of <paramref name="source"/> being forwarded.</summary>
    public void Rewrite(int source, VideoCodec codec, Span<byte> payload)
    {
        if (!PictureIdFields.TryLocate(codec, payload, out var fields)) return;
        if (source != _current.Source)
        {
            _previous = _current;
            _current = Rebase(source, fields, payload);
        }
        int pictureId = Apply(_current, fields, payload, out int tl0PicIdx);
        if (pictureId >= 0 && (_lastPictureId < 0 || IsNewer(pictureId, _lastPictureId, fields.PictureIdModulus))) _lastPictureId = pictureId;
        if (tl0PicIdx >= 0 && (_lastTl0PicIdx < 0 || IsNewer(tl0PicIdx, _lastTl0PicIdx, 0x100))) _lastTl0PicIdx = tl0PicIdx;
    }

    /// <summary>
    /// Renumbers a packet sent again with the offsets of its source, when that is the current or the previous one;
    /// an older one goes as it was stored.
    /// </summary>
    public void RewriteRetransmission(int source, VideoCodec codec, Span<byte> payload)
    {
        Offsets offsets = source == _current.Source ? _current : source == _previous.Source ? _previous : Offsets.Unset;
        if (offsets.Source < 0 || !PictureIdFields.TryLocate(codec, payload, out var fields)) return;
        Apply(offsets, fields, payload, out _);
    }

    private Offsets Rebase(int source, PictureIdFields fields, ReadOnlySpan<byte> payload)
    {
        int pictureIdOffset = fields.HasPictureId && _lastPictureId >= 0 ? _lastPictureId + 1 - fields.ReadPictureId(payload) : 0;
        int tl0PicIdxOffset = fields.HasTl0PicIdx && _lastTl0PicIdx >= 0 ? _lastTl0PicIdx + 1 - fields.ReadTl0PicIdx(payload) : 0;
        return new Offsets(source, pictureIdOffset, tl0PicIdxOffset);
    }

    /// <summary>Writes the renumbered fields; returns the picture ID written (-1: none) and the TL0PICIDX (-1: none).</summary>
    private static int Apply(Offsets offsets, PictureIdFields fields, Span<byte> payload, out int tl0PicIdx)
    {
        int pictureId = -1;
        tl0PicIdx = -1;
        if (fields.HasPictureId)
        {
            pictureId = (fields.ReadPictureId(payload) + offsets.PictureId) & (fields.PictureIdModulus - 1);
            fields.WritePictureId(payload, pictureId);
        }
        if (fields.HasTl0PicIdx)
        {
            tl0PicIdx = (fields.ReadTl0PicIdx(payload) + offsets.Tl0PicIdx) & 0xFF;
            fields.WriteTl0PicIdx(payload, (byte)tl0PicIdx);
        }
        return pictureId;
    }

    /// <summary>Whether <paramref name="value"/> is ahead of <paramref name="than"/> in a counter that wraps at <paramref name="modulus"/>.</summary>
    private static bool IsNewer(int value, int than, int modulus) => value != than && ((value - than) & (modulus - 1)) < modulus / 2;

    private readonly record struct Offsets(int Source, int PictureId, int Tl0PicIdx)
    {
        public static readonly Offsets Unset = new(-1, 0, 0);
    }
}
