namespace Switchboard.Protocols.Rtp;

/// <summary>
/// Where a VP8 (RFC 7741 §4.2) or VP9 (RFC 9628 §4.2) payload descriptor holds its picture ID (7 or 15 bits, M bit)
/// and TL0PICIDX, the numbering a forwarding server continues along with the sequence numbers when it switches a
/// receiver to another stream. Offsets count from the start of the RTP payload; -1 where the descriptor has no such
/// field. A descriptor longer than the payload is not located. Never throws on what it reads.
/// </summary>
public readonly record struct PictureIdFields(int PictureIdOffset, bool LongPictureId, int Tl0PicIdxOffset)
{
    public static readonly PictureIdFields None = new(-1, false, -1);

    public bool HasPictureId => PictureIdOffset >= 0;
    public bool HasTl0PicIdx => Tl0PicIdxOffset >= 0;

    /// <summary>A 15-bit picture ID counts modulo 2^15, a 7-bit one modulo 2^7.</summary>
    public int PictureIdModulus => LongPictureId ? 0x8000 : 0x80;

    /// <summary>The fields of a VP8 or VP9 payload; false for other codecs and for a truncated descriptor.</summary>
    public static bool TryLocate(VideoCodec codec, ReadOnlySpan<byte> payload, out PictureIdFields fields) => codec switch
    {
        VideoCodec.Vp8 => TryLocateVp8(payload, out fields, out _),
        VideoCodec.Vp9 => TryLocateVp9(payload, out fields, out _, out _),
        _ => Fail(out fields),
    };

    public int ReadPictureId(ReadOnlySpan<byte> payload) => LongPictureId
        ? ((payload[PictureIdOffset] & 0x7F) << 8) | payload[PictureIdOffset + 1]
        : payload[PictureIdOffset] & 0x7F;

    /// <summary>Writes the low 15 (or 7) bits of <paramref name="pictureId"/>, keeping the M bit.</summary>
    public void WritePictureId(Span<byte> payload, int pictureId)
    {
        if (LongPictureId)
        {
            payload[PictureIdOffset] = (byte)(0x80 | ((pictureId >> 8) & 0x7F));
            payload[PictureIdOffset + 1] = (byte)pictureId;
        }
        else
        {
            payload[PictureIdOffset] = (byte)(pictureId & 0x7F);
        }
    }

    public byte ReadTl0PicIdx(ReadOnlySpan<byte> payload) => payload[Tl0PicIdxOffset];
    public void WriteTl0PicIdx(Span<byte> payload, byte value) => payload[Tl0PicIdxOffset] = value;

    /// <summary>
    /// RFC 7741 §4.2: |X|R|N|S|R|PID|, with X the extension octet |I|L|T|K|RSV|; I adds |M|PictureID| (a second octet
    /// when M), L adds TL0PICIDX, T or K adds |TID|Y|KEYIDX|. <paramref name="length"/> is the descriptor's.
    /// </summary>
    internal static bool TryLocateVp8(ReadOnlySpan<byte> payload, out PictureIdFields fields, out int length)
    {
        fields = None;
        length = 0;
        if (payload.IsEmpty) return false;
        int offset = 1, pictureId = -1, tl0PicIdx = -1;
        bool longPictureId = false;
        if ((payload[0] & 0x80) != 0) // X
        {
            if (payload.Length < 2) return false;
            byte extension = payload[1];
            offset = 2;
            if ((extension & 0x80) != 0) // I
            {
                if (payload.Length <= offset) return false;
                pictureId = offset;
                longPictureId = (payload[offset] & 0x80) != 0;
                offset += longPictureId ? 2 : 1;
            }
            if ((extension & 0x40) != 0) tl0PicIdx = offset++; // L
            if ((extension & 0x30) != 0) offset++; // T or K
        }
        if (offset > payload.Length) return false;
        fields = new PictureIdFields(pictureId, longPictureId, tl0PicIdx);
        length = offset;
        return true;
    }

    /// <summary>
    /// RFC 9628 §4.2: |I|P|L|F|B|E|V|Z|; I adds |M|PictureID|, L adds |TID|U|SID|D| and, in non-flexible mode (F 0),
    /// TL0PICIDX. <paramref name="length"/> counts up to there (the scalability structure and references follow);
    /// <paramref name="spatialId"/> is SID, 0 without L.
    /// </summary>
    internal static bool TryLocateVp9(ReadOnlySpan<byte> payload, out PictureIdFields fields, out int length, out int spatialId)
    {
        fields = None;
        length = 0;
        spatialId = 0;
        if (payload.IsEmpty) return false;
        byte flags = payload[0];
        bool flexible = (flags & 0x10) != 0;
        int offset = 1, pictureId = -1, tl0PicIdx = -1;
        bool longPictureId = false;
        if ((flags & 0x80) != 0) // I
        {
            if (payload.Length <= offset) return false;
            pictureId = offset;
            longPictureId = (payload[offset] & 0x80) != 0;
            offset += longPictureId ? 2 : 1;
        }
        if ((flags & 0x20) != 0) // L
        {
            if (payload.Length <= offset) return false;
            spatialId = (payload[offset] >> 1) & 0x07;
            if (!flexible) tl0PicIdx = offset + 1;
            offset += flexible ? 1 : 2;
        }
        if (offset > payload.Length) return false;
        fields = new PictureIdFields(pictureId, longPictureId, tl0PicIdx);
        length = offset;
        return true;
    }

    private static bool Fail(out PictureIdFields fields)
    {
        fields = None;
        return false;
    }
}
