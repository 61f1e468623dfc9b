using Switchboard.Protocols.Codecs;

namespace Switchboard.Protocols.Rtp.Depacketization;

/// <summary>
/// The AV1 RTP payload format (§4.4, §4.5): each packet is an aggregation header |Z|Y|W|N|-|-|-| and OBU elements,
/// each after its LEB128 length except the last when W (the element count) is not 0. Z says the first element continues
/// the previous packet's last OBU, Y that the last one continues in the next packet. The frame is the temporal unit in
/// the low-overhead bitstream format (AV1 §5.2): every OBU with obu_has_size_field set and its size, temporal delimiters
/// and tile lists dropped (§5: the receiver's job). A key frame: the first packet's N bit (a new coded video sequence)
/// or a sequence header OBU; its width and height are the sequence header's maximum frame size.
/// </summary>
internal sealed class Av1Depacketizer : Depacketizer
{
    readonly ByteBuffer _frame = new(4096);
    readonly ByteBuffer _obu = new(4096);

    public override bool IsKeyframeStart(ReadOnlySpan<byte> payload) => KeyframeDetector.IsKeyframeStart(VideoCodec.Av1, payload);

    public override bool TryAssemble(IReadOnlyList<byte[]> payloads, out byte[] frame, out FrameInfo info)
    {
        frame = [];
        info = default;
        _frame.Clear();
        bool open = false, sequenceHeader = false;
        int width = 0, height = 0;
        for (int i = 0; i < payloads.Count; i++)
        {
            byte[] payload = payloads[i];
            if (payload.Length < 2) return false;
            byte header = payload[0];
            bool continuation = (header & 0x80) != 0, continues = (header & 0x40) != 0;
            int count = (header >> 4) & 0x03;
            if (continuation != open) return false; // a fragment without its start, or a start while one is open
            int offset = 1;
            for (int element = 1; offset < payload.Length; element++)
            {
                int length;
                if (count != 0 && element == count) length = payload.Length - offset;
                else if (!Leb128.TryRead(payload, ref offset, out ulong value) || value > (ulong)(payload.Length - offset)) return false;
                else length = (int)value;
                if (!(element == 1 && continuation)) _obu.Clear();
                _obu.Bytes(payload.AsSpan(offset, length));
                offset += length;
                open = offset == payload.Length && continues;
                if (open) break;
                if (!TryWriteObu(_obu.Written, ref sequenceHeader, ref width, ref height)) return false;
            }
            if (continues && !open) return false; // Y set, but the last element ended within the packet
        }
        if (open || _frame.Length == 0) return false;
        frame = _frame.Written.ToArray();
        bool keyframe = sequenceHeader || (payloads[0][0] & 0x08) != 0;
        info = keyframe ? new FrameInfo(true, width, height) : new FrameInfo(false, 0, 0);
        return true;
    }

    /// <summary>One OBU element (AV1 §5.3; a size field, when there is one, must end where the element ends), written with a
    /// size field; temporal delimiters and tile lists are dropped.</summary>
    bool TryWriteObu(ReadOnlySpan<byte> obu, ref bool sequenceHeader, ref int width, ref int height)
    {
        int end = 0;
        if (!Av1Obus.TryRead(obu, ref end, out var parsed) || end != obu.Length) return false;
        if (parsed.Type is Av1Obus.TemporalDelimiter or Av1Obus.TileList) return true;
        var body = obu[parsed.Payload];
        if (parsed.Type == Av1Obus.SequenceHeader)
        {
            sequenceHeader = true;
            if (!Av1SequenceHeader.TryReadMaxFrameSize(body, out width, out height)) width = height = 0;
        }
        byte header = obu[0];
        _frame.Byte((byte)(header | 0x02));
        if ((header & 0x04) != 0) _frame.Byte(obu[1]); // obu_extension_header
        Span<byte> sizeField = stackalloc byte[Leb128.MaxLength];
        _frame.Bytes(sizeField[..Leb128.Write(sizeField, (uint)body.Length)]);
        _frame.Bytes(body);
        return true;
    }
}
