using System.Buffers.Binary;

namespace Switchboard.MediaLoad;

/// <summary>
/// The payloads the SFU mode's publishers send and its subscribers read. Audio is Opus-sized (no codec header). Video
/// is VP8 as RFC 7741 packs it: a 3-byte payload descriptor (X=1, S on a frame's first packet, I=1 with a 7-bit picture
/// id), then on a frame's first packet the start of the VP8 frame: a keyframe's 10 bytes (frame tag with P=0, start
/// code 9d 01 2a, width and height) or an interframe's 3-byte frame tag (P=1), so an SFU that looks for keyframes finds
/// them. Right after the codec bytes every packet carries a <see cref="Stamp"/>: the send time in Stopwatch ticks
/// (publishers and subscribers share the process, so now minus it is the one-way time through the server) and the
/// publisher's index. The rest is filler.
/// </summary>
internal static class SyntheticMedia
{
    public const int StampLength = 12;
    public const int Width = 640, Height = 480;

    /// <summary>Writes the VP8 payload descriptor and, on a frame's first packet, the frame header; returns the bytes written.</summary>
    public static int WriteVp8Header(Span<byte> payload, bool frameStart, bool keyframe, byte pictureId)
    {
        payload[0] = (byte)(frameStart ? 0x90 : 0x80); // X, S, partition 0
        payload[1] = 0x80;                              // I: a picture id follows
        payload[2] = (byte)(pictureId & 0x7F);          // M=0: 7 bits
        if (!frameStart) return 3;
        if (!keyframe)
        {
            payload[3] = 0x11; // frame tag: P=1 (interframe), version 0, show_frame
            payload[4] = 0x02;
            payload[5] = 0x00;
            return 6;
        }
        payload[3] = 0x10; // frame tag: P=0 (keyframe), version 0, show_frame
        payload[4] = 0x02;
        payload[5] = 0x00;
        payload[6] = 0x9d; // start code
        payload[7] = 0x01;
        payload[8] = 0x2a;
        BinaryPrimitives.WriteUInt16LittleEndian(payload[9..], Width);
        BinaryPrimitives.WriteUInt16LittleEndian(payload[11..], Height);
        return 13;
    }

    public static void WriteStamp(Span<byte> destination, long sentAt, int publisher)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, sentAt);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], publisher);
    }

    public static bool TryReadAudio(ReadOnlySpan<byte> payload, out long sentAt, out int publisher) =>
        TryReadStamp(payload, out sentAt, out publisher);

    /// <summary>Reads a VP8 payload (any descriptor RFC 7741 allows) up to the stamp; <paramref name="keyframeStart"/> is a keyframe's first packet.</summary>
    public static bool TryReadVideo(ReadOnlySpan<byte> payload, out bool keyframeStart, out long sentAt, out int publisher)
    {
        keyframeStart = false;
        sentAt = 0;
        publisher = -1;
        if (payload.Length < 1) return false;
        int offset = 1;
        bool start = (payload[0] & 0x10) != 0 && (payload[0] & 0x0F) == 0;
        if ((payload[0] & 0x80) != 0)
        {
            if (payload.Length < 2) return false;
            byte x = payload[1];
            offset = 2;
            if ((x & 0x80) != 0) offset += payload.Length > offset && (payload[offset] & 0x80) != 0 ? 2 : 1; // picture id, 7 or 15 bits
            if ((x & 0x40) != 0) offset++;                                                                   // TL0PICIDX
            if ((x & 0x30) != 0) offset++;                                                                   // TID / KEYIDX
        }
        if (start)
        {
            if (payload.Length <= offset) return false;
            bool key = (payload[offset] & 0x01) == 0;
            keyframeStart = key;
            offset += key ? 10 : 3;
        }
        return payload.Length >= offset && TryReadStamp(payload[offset..], out sentAt, out publisher);
    }

    private static bool TryReadStamp(ReadOnlySpan<byte> data, out long sentAt, out int publisher)
    {
        sentAt = 0;
        publisher = -1;
        if (data.Length < StampLength) return false;
        sentAt = BinaryPrimitives.ReadInt64BigEndian(data);
        publisher = BinaryPrimitives.ReadInt32BigEndian(data[8..]);
        return true;
    }
}
