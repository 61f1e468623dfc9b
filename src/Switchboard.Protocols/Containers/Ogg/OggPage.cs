using System.Buffers.Binary;
using Switchboard.Protocols.Codecs;

namespace Switchboard.Protocols.Containers.Ogg;

/// <summary>Builds Ogg pages (RFC 3533 §6) of whole packets: the 27-byte header, the lacing values, the packets, and the
/// checksum.</summary>
internal sealed class OggPage
{
    public const byte BeginningOfStream = 0x02, EndOfStream = 0x04;
    const int MaxSegments = 255;

    readonly ByteBuffer _body = new(8 * 1024), _page = new(8 * 1024);
    readonly List<byte> _lacing = new(MaxSegments);

    public int PacketCount { get; private set; }
    public int BodyLength => _body.Length;

    /// <summary>Whether a packet of <paramref name="length"/> bytes still fits the page's 255 lacing values.</summary>
    public bool Fits(int length) => _lacing.Count + length / 255 + 1 <= MaxSegments;

    /// <summary>Adds a packet: lacing values of 255 for each full 255 bytes, then the remainder (0 when the length is a
    /// multiple of 255, which marks the packet's end).</summary>
    public void Add(ReadOnlySpan<byte> packet)
    {
        for (int left = packet.Length; ; left -= 255)
        {
            _lacing.Add((byte)Math.Min(left, 255));
            if (left < 255) break;
        }
        _body.Bytes(packet);
        PacketCount++;
    }

    /// <summary>The finished page; the builder is empty again afterwards.</summary>
    public ReadOnlySpan<byte> Build(byte flags, long granulePosition, uint serial, uint sequence)
    {
        _page.Clear();
        _page.Ascii("OggS");
        _page.Byte(0); // stream_structure_version
        _page.Byte(flags);
        BinaryPrimitives.WriteInt64LittleEndian(_page.Append(8), granulePosition);
        BinaryPrimitives.WriteUInt32LittleEndian(_page.Append(4), serial);
        BinaryPrimitives.WriteUInt32LittleEndian(_page.Append(4), sequence);
        _page.Zeros(4); // CRC_checksum, set below
        _page.Byte((byte)_lacing.Count);
        foreach (byte value in _lacing) _page.Byte(value);
        _page.Bytes(_body.Written);
        BinaryPrimitives.WriteUInt32LittleEndian(_page.At(22, 4), OggCrc.Compute(_page.Written));
        _lacing.Clear();
        _body.Clear();
        PacketCount = 0;
        return _page.Written;
    }
}
