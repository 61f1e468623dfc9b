using System.Buffers.Binary;
using System.Text;

namespace Switchboard.Protocols.Codecs;

/// <summary>A growable byte buffer with big-endian writes, reused from frame to frame: the depacketizers assemble frames
/// in it, the container writers headers, boxes, clusters and pages that they then hand whole to the stream.</summary>
internal sealed class ByteBuffer(int capacity = 256)
{
    byte[] _bytes = new byte[capacity];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, Length);

    public void Clear() => Length = 0;

    /// <summary>Room for <paramref name="count"/> more bytes, counted as written.</summary>
    public Span<byte> Append(int count)
    {
        if (Length + count > _bytes.Length) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + count));
        var span = _bytes.AsSpan(Length, count);
        Length += count;
        return span;
    }

    /// <summary>Bytes already written, to patch in place.</summary>
    public Span<byte> At(int offset, int count) => _bytes.AsSpan(offset, count);

    public void Byte(byte value) => Append(1)[0] = value;
    public void UInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Append(2), value);
    public void UInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Append(4), value);
    public void UInt64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Append(8), value);
    public void Bytes(ReadOnlySpan<byte> value) => value.CopyTo(Append(value.Length));
    public void Zeros(int count) => Append(count).Clear();
    public void Ascii(string value) => Encoding.ASCII.GetBytes(value, Append(value.Length));
}
