using System.Buffers.Binary;

namespace Switchboard.Protocols.Containers.Codecs;

/// <summary>What the containers need to know of Opus packets (RFC 6716) and streams (RFC 7845).</summary>
internal static class OpusPacket
{
    public const int SampleRate = 48000;

    /// <summary>20 ms of silence: TOC 0xF8 (CELT fullband 20 ms, mono, one frame) and a frame that decodes to silence.</summary>
    public static ReadOnlySpan<byte> Silence20Ms => [0xF8, 0xFF, 0xFE];

    public const int Silence20MsSamples = 960;

    /// <summary>The packet's duration in 48 kHz samples from its TOC byte and frame count (RFC 6716 §3.1, §3.2.5);
    /// 0 when the packet is malformed (empty, code 3 without its count byte, no frame, over 120 ms).</summary>
    public static int SampleCount(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty) return 0;
        int config = packet[0] >> 3;
        int frameSamples = config switch
        {
            < 12 => (config & 3) switch { 0 => 480, 1 => 960, 2 => 1920, _ => 2880 }, // SILK: 10, 20, 40, 60 ms
            < 16 => (config & 1) == 0 ? 480 : 960, // hybrid: 10, 20 ms
            _ => 120 << (config & 3), // CELT: 2.5, 5, 10, 20 ms
        };
        int frames = (packet[0] & 3) switch
        {
            0 => 1,
            1 or 2 => 2,
            _ => packet.Length < 2 ? 0 : packet[1] & 0x3F,
        };
        int samples = frames * frameSamples;
        return samples is > 0 and <= 5760 ? samples : 0;
    }

    /// <summary>The identification header (RFC 7845 §5.1), mapping family 0 (mono or stereo).</summary>
    public static byte[] Head(int channels, int preSkip)
    {
        var head = new byte[19];
        "OpusHead"u8.CopyTo(head);
        head[8] = 1; // version
        head[9] = (byte)channels;
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(10), (ushort)preSkip);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(12), SampleRate); // input sample rate, informational
        // output gain 0, channel mapping family 0
        return head;
    }

    /// <summary>The comment header (RFC 7845 §5.2): vendor string, no comments.</summary>
    public static byte[] Tags(string vendor)
    {
        var tags = new byte[8 + 4 + vendor.Length + 4];
        "OpusTags"u8.CopyTo(tags);
        BinaryPrimitives.WriteUInt32LittleEndian(tags.AsSpan(8), (uint)vendor.Length);
        System.Text.Encoding.ASCII.GetBytes(vendor, tags.AsSpan(12));
        return tags;
    }
}
