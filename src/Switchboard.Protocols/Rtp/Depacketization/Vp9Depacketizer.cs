using System.Buffers.Binary;
using Switchboard.Protocols.Codecs;

namespace Switchboard.Protocols.Rtp.Depacketization;

/// <summary>
/// RFC 9628: each packet's payload descriptor (§4.2) is stripped. A picture (one RTP timestamp) holds one frame per
/// spatial layer, each from a packet with B (beginning of a layer frame) to one with E (its end). One layer frame is the
/// frame; several become a superframe (VP9 bitstream specification, Annex B): the layer frames one after the other and
/// an index of their sizes. The superframe keeps every layer, because an upper layer predicts from the layers below it
/// and is not decodable alone; a decoder shows the last (highest) layer of it. Key frame: the first packet has B set, P
/// not set and spatial layer 0, and the frame's uncompressed header (§6.2), when it can be read, says KEY_FRAME. Width
/// and height: the highest layer's from the scalability structure (§4.2.1) when a packet has one, else the key frame's
/// uncompressed header.
/// </summary>
internal sealed class Vp9Depacketizer : Depacketizer
{
    const int MaxLayers = 8; // Annex B: frames_in_superframe_minus_1 is 3 bits

    readonly int[] _layerSizes = new int[MaxLayers];

    public override bool IsKeyframeStart(ReadOnlySpan<byte> payload) => KeyframeDetector.IsKeyframeStart(VideoCodec.Vp9, payload);

    public override bool TryAssemble(IReadOnlyList<byte[]> payloads, out byte[] frame, out FrameInfo info)
    {
        frame = [];
        info = default;
        int layers = 0, total = 0, width = 0, height = 0;
        bool inLayer = false, descriptorKey = false;
        for (int i = 0; i < payloads.Count; i++)
        {
            if (!Descriptor.TryRead(payloads[i], out var descriptor)) return false;
            if (i == 0) descriptorKey = descriptor.Beginning && !descriptor.Predicted && descriptor.SpatialId == 0;
            if (descriptor.Width > 0)
            {
                width = descriptor.Width;
                height = descriptor.Height;
            }
            if (descriptor.Beginning)
            {
                if (inLayer || layers == MaxLayers) return false;
                _layerSizes[layers++] = 0;
                inLayer = true;
            }
            else if (!inLayer) return false;
            int size = payloads[i].Length - descriptor.Length;
            _layerSizes[layers - 1] += size;
            total += size;
            if (descriptor.End) inLayer = false;
        }
        if (layers == 0) return false;
        int largest = 0;
        for (int i = 0; i < layers; i++)
        {
            if (_layerSizes[i] == 0) return false;
            largest = Math.Max(largest, _layerSizes[i]);
        }

        int indexLength = 0, sizeBytes = 0;
        if (layers > 1)
        {
            sizeBytes = largest < 1 << 8 ? 1 : largest < 1 << 16 ? 2 : largest < 1 << 24 ? 3 : 4;
            indexLength = 2 + sizeBytes * layers;
        }
        frame = new byte[total + indexLength];
        int offset = 0;
        foreach (byte[] payload in payloads)
        {
            Descriptor.TryRead(payload, out var descriptor);
            payload.AsSpan(descriptor.Length).CopyTo(frame.AsSpan(offset));
            offset += payload.Length - descriptor.Length;
        }
        if (layers > 1)
        {
            // Annex B.3: superframe_marker 0b110, bytes_per_framesize_minus_1 (2 bits), frames_in_superframe_minus_1 (3 bits).
            byte marker = (byte)(0xC0 | ((sizeBytes - 1) << 3) | (layers - 1));
            frame[offset++] = marker;
            Span<byte> size = stackalloc byte[4];
            for (int i = 0; i < layers; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(size, _layerSizes[i]);
                size[..sizeBytes].CopyTo(frame.AsSpan(offset));
                offset += sizeBytes;
            }
            frame[offset] = marker;
        }

        bool keyframe = descriptorKey;
        if (VpxFrameSize.TryReadVp9(frame.AsSpan(0, _layerSizes[0]), out bool headerKey, out int headerWidth, out int headerHeight))
        {
            keyframe &= headerKey;
            if (keyframe && width == 0)
            {
                width = headerWidth;
                height = headerHeight;
            }
        }
        info = new FrameInfo(keyframe, width, height);
        return true;
    }

    /// <summary>
    /// RFC 9628 §4.2: |I|P|L|F|B|E|V|Z|, the picture id and layer octets (<see cref="PictureIdFields.TryLocateVp9"/>), in
    /// flexible mode with P up to three P_DIFF octets (N bit last), then with V the scalability structure (§4.2.1):
    /// |N_S|Y|G|RES|, with Y a 16-bit width and height per layer, with G N_G pictures of |TID|U|R|RES| and R P_DIFFs.
    /// </summary>
    readonly record struct Descriptor(int Length, bool Beginning, bool End, bool Predicted, int SpatialId, int Width, int Height)
    {
        public static bool TryRead(ReadOnlySpan<byte> payload, out Descriptor descriptor)
        {
            descriptor = default;
            if (!PictureIdFields.TryLocateVp9(payload, out _, out int offset, out int spatialId)) return false;
            byte flags = payload[0];
            bool predicted = (flags & 0x40) != 0, flexible = (flags & 0x10) != 0;
            if (flexible && predicted)
            {
                for (int i = 0; ; i++)
                {
                    if (i == 3 || offset >= payload.Length) return false;
                    if ((payload[offset++] & 0x01) == 0) break;
                }
            }
            int width = 0, height = 0;
            if ((flags & 0x02) != 0)
            {
                if (offset >= payload.Length) return false;
                byte structure = payload[offset++];
                int spatialLayers = (structure >> 5) + 1;
                if ((structure & 0x10) != 0)
                {
                    if (payload.Length - offset < 4 * spatialLayers) return false;
                    width = BinaryPrimitives.ReadUInt16BigEndian(payload[(offset + 4 * (spatialLayers - 1))..]);
                    height = BinaryPrimitives.ReadUInt16BigEndian(payload[(offset + 4 * (spatialLayers - 1) + 2)..]);
                    offset += 4 * spatialLayers;
                }
                if ((structure & 0x08) != 0)
                {
                    if (offset >= payload.Length) return false;
                    int pictures = payload[offset++];
                    for (int i = 0; i < pictures; i++)
                    {
                        if (offset >= payload.Length) return false;
                        offset += 1 + ((payload[offset] >> 2) & 0x03);
                    }
                    if (offset > payload.Length) return false;
                }
            }
            descriptor = new Descriptor(offset, (flags & 0x08) != 0, (flags & 0x04) != 0, predicted, spatialId, width, height);
            return true;
        }
    }
}
