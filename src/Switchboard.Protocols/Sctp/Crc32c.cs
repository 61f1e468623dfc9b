using System.Buffers.Binary;
using System.Numerics;

namespace Switchboard.Protocols.Sctp;

/// <summary>
/// The CRC32c (Castagnoli) checksum of SCTP packets (RFC 9260 §6.8, Appendix B): reflected, initial value and final
/// XOR 0xFFFFFFFF, computed over the whole packet with the checksum field taken as zero, and stored in the common header
/// least significant byte first (the byte order Appendix B's reference code produces).
/// </summary>
public static class Crc32c
{
    /// <summary>Offset of the checksum in the common header.</summary>
    public const int ChecksumOffset = 8;

    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(uint.MaxValue, data);

    /// <summary>The checksum of a packet whose checksum field is read as zero, whatever it holds.</summary>
    public static uint ComputeForPacket(ReadOnlySpan<byte> packet)
    {
        uint crc = Append(uint.MaxValue, packet[..ChecksumOffset]);
        crc = BitOperations.Crc32C(crc, 0u);
        return ~Append(crc, packet[(ChecksumOffset + 4)..]);
    }

    /// <summary>True when the packet (at least a common header) carries its correct checksum.</summary>
    public static bool IsValid(ReadOnlySpan<byte> packet) =>
        packet.Length >= SctpPacket.HeaderLength &&
        BinaryPrimitives.ReadUInt32LittleEndian(packet[ChecksumOffset..]) == ComputeForPacket(packet);

    /// <summary>Writes the checksum of a complete packet into its common header.</summary>
    public static void Stamp(Span<byte> packet) =>
        BinaryPrimitives.WriteUInt32LittleEndian(packet[ChecksumOffset..], ComputeForPacket(packet));

    private static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        return crc;
    }
}
