using System.Buffers.Binary;

namespace Switchboard.Protocols.Rtp;

/// <summary>
/// Tells from an RTP payload whether the packet is the first one of a key frame, a picture a decoder can start from,
/// as a forwarding server needs to know before it switches a receiver to another stream. Reads only the payload
/// format's descriptor and the first bytes of the codec's header; a malformed or truncated payload is not a key frame
/// start. Never throws.
/// </summary>
public static class KeyframeDetector
{
    const int StapA = 24, FuA = 28; // RFC 6184 §5.2 NAL unit types of the aggregation and fragmentation units

    public static bool IsKeyframeStart(VideoCodec codec, ReadOnlySpan<byte> payload) => codec switch
    {
        VideoCodec.Vp8 => IsVp8KeyframeStart(payload),
        VideoCodec.Vp9 => IsVp9KeyframeStart(payload),
        VideoCodec.H264 => IsH264KeyframeStart(payload),
        VideoCodec.Av1 => IsAv1KeyframeStart(payload),
        _ => false,
    };

    /// <summary>
    /// RFC 7741 §4.2: the payload descriptor (X, S, PID; then I, L, T, K and their fields), and §4.3: on the first
    /// packet of partition 0 the VP8 payload header, whose P bit is 0 for a key frame. A key frame's header is
    /// 10 octets with the start code 0x9D 0x01 0x2A (RFC 6386 §9.1).
    /// </summary>
    static bool IsVp8KeyframeStart(ReadOnlySpan<byte> payload)
    {
        if (!PictureIdFields.TryLocateVp8(payload, out _, out int offset)) return false;
        byte first = payload[0];
        bool start = (first & 0x10) != 0, partitionZero = (first & 0x07) == 0;
        if (!start || !partitionZero || payload.Length < offset + 10) return false;
        var header = payload[offset..];
        return (header[0] & 0x01) == 0 && header[3] == 0x9D && header[4] == 0x01 && header[5] == 0x2A;
    }

    /// <summary>
    /// RFC 9628 §4.2: the descriptor's flags I P L F B E V Z. A key frame starts where B (beginning of a frame) is set,
    /// P (inter-picture predicted) is not, and the spatial layer, when L is present, is 0. The whole descriptor, with
    /// the scalability structure (V, §4.2.1), must be present, and payload after it.
    /// </summary>
    static bool IsVp9KeyframeStart(ReadOnlySpan<byte> payload)
    {
        if (!PictureIdFields.TryLocateVp9(payload, out _, out int offset, out int spatialId)) return false;
        byte flags = payload[0];
        bool predicted = (flags & 0x40) != 0, beginning = (flags & 0x08) != 0, structure = (flags & 0x02) != 0;
        if (!beginning || predicted || spatialId != 0) return false;
        if (structure)
        {
            if (payload.Length <= offset) return false;
            byte ss = payload[offset++];
            int spatialLayers = (ss >> 5) + 1;
            if ((ss & 0x10) != 0) offset += 4 * spatialLayers; // Y: width and height of each
            if ((ss & 0x08) != 0) // G: the picture group
            {
                if (payload.Length <= offset) return false;
                int pictures = payload[offset++];
                for (int i = 0; i < pictures; i++)
                {
                    if (payload.Length <= offset) return false;
                    offset += 1 + ((payload[offset] >> 2) & 0x03); // R reference P_DIFFs follow
                }
            }
        }
        return offset < payload.Length;
    }

    /// <summary>
    /// RFC 6184 §5.6-5.8: a single NAL unit, a STAP-A holding NAL units each after its 16-bit size, or the first FU-A
    /// fragment (S bit) of one; it starts a key frame when it is (or holds) an IDR slice (type 5) or a sequence
    /// parameter set (type 7).
    /// </summary>
    static bool IsH264KeyframeStart(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty) return false;
        int type = payload[0] & 0x1F;
        switch (type)
        {
            case >= 1 and <= 23:
                return IsH264KeyframeNal(type);
            case StapA:
                bool found = false;
                int offset = 1;
                while (offset < payload.Length)
                {
                    if (payload.Length - offset < 2) return false;
                    int size = BinaryPrimitives.ReadUInt16BigEndian(payload[offset..]);
                    offset += 2;
                    if (size == 0 || size > payload.Length - offset) return false;
                    found |= IsH264KeyframeNal(payload[offset] & 0x1F);
                    offset += size;
                }
                return found;
            case FuA:
                // §5.8: the FU header's S and E bits are never both set, and a fragment carries at least one octet.
                if (payload.Length < 3) return false;
                byte header = payload[1];
                return (header & 0xC0) == 0x80 && IsH264KeyframeNal(header & 0x1F);
            default:
                return false;
        }
    }

    static bool IsH264KeyframeNal(int type) => type is 5 or 7;

    /// <summary>
    /// AV1 RTP payload format §4.4: the aggregation header's N bit marks the first packet of a coded video sequence,
    /// which starts with a key frame; Z (continuation of an OBU from the previous packet) is then 0. The first OBU
    /// element's length (a LEB128 unless W is 1) must fit the packet.
    /// </summary>
    static bool IsAv1KeyframeStart(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 2) return false;
        byte header = payload[0];
        bool continuation = (header & 0x80) != 0, newSequence = (header & 0x08) != 0;
        int elements = (header >> 4) & 0x03;
        if (!newSequence || continuation) return false;
        if (elements == 1) return true; // the one element fills the packet, without a length
        ulong length = 0;
        for (int i = 0; i < 8; i++)
        {
            if (1 + i >= payload.Length) return false;
            byte b = payload[1 + i];
            length |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) return length >= 1 && length <= (ulong)(payload.Length - 2 - i);
        }
        return false;
    }
}
