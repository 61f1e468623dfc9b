namespace Switchboard.Protocols.Codecs;

/// <summary>AV1 §4.10.5 leb128(): seven bits an octet, least significant first, at most 8 octets and 2^32 - 1.</summary>
internal static class Leb128
{
    public const int MaxLength = 8;

    public static bool TryRead(ReadOnlySpan<byte> data, ref int offset, out ulong value)
    {
        value = 0;
        for (int i = 0; i < MaxLength; i++)
        {
            if (offset >= data.Length) return false;
            byte b = data[offset++];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) return value <= uint.MaxValue;
        }
        return false;
    }

    /// <summary>The shortest encoding of <paramref name="value"/>; returns its length.</summary>
    public static int Write(Span<byte> destination, uint value)
    {
        int length = 0;
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            destination[length++] = value != 0 ? (byte)(b | 0x80) : b;
        } while (value != 0);
        return length;
    }
}
