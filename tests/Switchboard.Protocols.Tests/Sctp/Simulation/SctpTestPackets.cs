using System.Buffers.Binary;
using Switchboard.Protocols.Sctp;

namespace Switchboard.Protocols.Tests.Sctp.Simulation;

/// <summary>Reads and builds packets for tests, with the engine's own codec.</summary>
public static class SctpTestPackets
{
    public static List<SctpChunkType> ChunkTypes(byte[] packet)
    {
        var types = new List<SctpChunkType>();
        if (!SctpPacket.TryParse(packet, out var parsed)) return types;
        foreach (var chunk in parsed.Chunks) types.Add(chunk.Type);
        return types;
    }

    public static bool Has(byte[] packet, SctpChunkType type) => ChunkTypes(packet).Contains(type);

    public static uint Tag(byte[] packet) => BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(4));

    /// <summary>The value of the first chunk of a type, or null.</summary>
    public static byte[]? ChunkValue(byte[] packet, SctpChunkType type)
    {
        if (!SctpPacket.TryParse(packet, out var parsed)) return null;
        foreach (var chunk in parsed.Chunks)
            if (chunk.Type == type) return chunk.Value.ToArray();
        return null;
    }

    /// <summary>A packet from port 5000 to 5000 with these chunks and a correct checksum.</summary>
    public static byte[] Build(uint tag, params (byte Type, byte Flags, byte[] Value)[] chunks)
    {
        var buffer = new byte[65_536];
        var writer = new SctpPacketWriter(buffer, 5000, 5000, tag);
        foreach (var (type, flags, value) in chunks) value.CopyTo(writer.AddChunk(type, flags, value.Length));
        return writer.Finish().ToArray();
    }

    /// <summary>The same packet with its checksum computed again (after a test changed it).</summary>
    public static byte[] Restamp(byte[] packet)
    {
        var copy = packet.ToArray();
        Crc32c.Stamp(copy);
        return copy;
    }

    /// <summary>A DATA chunk's value (its B, E and U flags go in the chunk header).</summary>
    public static byte[] Data(uint tsn, ushort stream, ushort ssn, uint ppid, byte[] payload)
    {
        var value = new byte[12 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(value, tsn);
        BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(4), stream);
        BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(6), ssn);
        BinaryPrimitives.WriteUInt32BigEndian(value.AsSpan(8), ppid);
        payload.CopyTo(value, 12);
        return value;
    }
}
