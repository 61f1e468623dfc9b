using System.Buffers.Binary;
using System.Text;
using Switchboard.Protocols.Codecs;

namespace Switchboard.Protocols.Containers.Matroska;

/// <summary>EBML encoding (RFC 8794): element IDs, variable-size integers (§4) and the element types Matroska uses.</summary>
internal static class Ebml
{
    /// <summary>The size of an element whose end is not known yet (§6.2): all value bits set, here in 8 bytes.</summary>
    public const ulong UnknownSize = 0x01FF_FFFF_FFFF_FFFF;

    /// <summary>The shortest length (1-8 bytes) of a VINT holding <paramref name="value"/>; the all-ones value of each
    /// length is reserved (§4.4), so 127 needs 2 bytes.</summary>
    public static int VintLength(ulong value)
    {
        int length = 1;
        while (length < 8 && value >= (1UL << (7 * length)) - 1) length++;
        return length;
    }

    /// <summary>Writes <paramref name="value"/> as a VINT of <paramref name="length"/> bytes: VINT_WIDTH leading zero bits,
    /// the VINT_MARKER bit, then the value (§4.1).</summary>
    public static void WriteVint(Span<byte> destination, ulong value, int length)
    {
        if (length is < 1 or > 8 || (length < 8 && value >= 1UL << (7 * length)) || value > UnknownSize)
            throw new ArgumentOutOfRangeException(nameof(value));
        ulong encoded = value | 1UL << (7 * length);
        for (int i = length - 1; i >= 0; i--)
        {
            destination[i] = (byte)encoded;
            encoded >>= 8;
        }
    }

    public static void Vint(this ByteBuffer buffer, ulong value, int length = 0)
    {
        if (length == 0) length = VintLength(value);
        WriteVint(buffer.Append(length), value, length);
    }

    /// <summary>An element ID, which keeps its marker bits (1-4 bytes).</summary>
    public static void Id(this ByteBuffer buffer, uint id)
    {
        int length = id > 0xFFFFFF ? 4 : id > 0xFFFF ? 3 : id > 0xFF ? 2 : 1;
        for (int i = length - 1; i >= 0; i--) buffer.Byte((byte)(id >> (8 * i)));
    }

    public static void Element(this ByteBuffer buffer, uint id, ReadOnlySpan<byte> content)
    {
        buffer.Id(id);
        buffer.Vint((ulong)content.Length);
        buffer.Bytes(content);
    }

    /// <summary>An unsigned integer element in as few bytes as hold the value, or in <paramref name="length"/> bytes
    /// (for values patched later).</summary>
    public static void Unsigned(this ByteBuffer buffer, uint id, ulong value, int length = 0)
    {
        if (length == 0)
        {
            length = 1;
            while (length < 8 && value >> (8 * length) != 0) length++;
        }
        buffer.Id(id);
        buffer.Vint((ulong)length);
        var bytes = buffer.Append(length);
        for (int i = length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)value;
            value >>= 8;
        }
    }

    public static void Float(this ByteBuffer buffer, uint id, double value)
    {
        buffer.Id(id);
        buffer.Vint(8);
        BinaryPrimitives.WriteDoubleBigEndian(buffer.Append(8), value);
    }

    public static void String(this ByteBuffer buffer, uint id, string value) => buffer.Element(id, Encoding.UTF8.GetBytes(value));

    public static void Master(this ByteBuffer buffer, uint id, ByteBuffer content) => buffer.Element(id, content.Written);

    /// <summary>A Void element (0xEC) of exactly <paramref name="totalLength"/> bytes (at least 2), to reserve room.</summary>
    public static void Void(this ByteBuffer buffer, int totalLength)
    {
        int sizeLength = totalLength - 2 <= 126 ? 1 : 8;
        buffer.Id(MatroskaIds.Void);
        buffer.Vint((ulong)(totalLength - 1 - sizeLength), sizeLength);
        buffer.Zeros(totalLength - 1 - sizeLength);
    }
}
