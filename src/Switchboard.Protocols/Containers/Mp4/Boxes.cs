using System.Buffers.Binary;
using Switchboard.Protocols.Codecs;

namespace Switchboard.Protocols.Containers.Mp4;

/// <summary>ISO BMFF boxes (ISO/IEC 14496-12 §4.2) built in a <see cref="ByteBuffer"/>: a box starts with a size
/// placeholder and its type, and its size is set when it ends.</summary>
internal static class Boxes
{
    public static int Begin(this ByteBuffer buffer, string type)
    {
        int start = buffer.Length;
        buffer.UInt32(0);
        buffer.Ascii(type);
        return start;
    }

    /// <summary>A FullBox: version and flags after the type.</summary>
    public static int BeginFull(this ByteBuffer buffer, string type, byte version, uint flags)
    {
        int start = buffer.Begin(type);
        buffer.UInt32((uint)version << 24 | flags);
        return start;
    }

    public static void End(this ByteBuffer buffer, int start) =>
        BinaryPrimitives.WriteUInt32BigEndian(buffer.At(start, 4), (uint)(buffer.Length - start));

    /// <summary>The unity transformation matrix of mvhd and tkhd (§8.2.2, §8.3.2).</summary>
    public static void UnityMatrix(this ByteBuffer buffer)
    {
        foreach (uint value in (ReadOnlySpan<uint>)[0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000]) buffer.UInt32(value);
    }
}
