using System.Buffers.Binary;

namespace Switchboard.Protocols.Tests.Rtp.Depacketization;

/// <summary>
/// A test-side AV1 RTP packetizer after the AV1 RTP payload format §4.4-§5: each temporal unit's OBUs (temporal
/// delimiters left out) become OBU elements without obu_has_size_field, packed into packets of at most a given payload
/// size and fragmented across packets (Z and Y). A packet of up to three elements uses W (the last without a length),
/// one of more uses W 0. N marks the first packet of a temporal unit with a sequence header; the marker bit its last.
/// </summary>
internal static class Av1Packetizer
{
    /// <summary>The OBUs of a low-overhead bitstream temporal unit, each whole (header, size field, payload).</summary>
    public static List<byte[]> Obus(byte[] unit)
    {
        var obus = new List<byte[]>();
        for (int offset = 0; offset < unit.Length;)
        {
            int start = offset, headerLength = (unit[offset] & 0x04) != 0 ? 2 : 1;
            offset += headerLength;
            ulong size = ReadLeb128(unit, ref offset);
            offset += (int)size;
            obus.Add(unit[start..offset]);
        }
        return obus;
    }

    /// <summary>What the assembler must make of a temporal unit: temporal delimiters dropped, sizes in their shortest form.</summary>
    public static byte[] LowOverhead(byte[] unit) => Obus(unit)
        .Where(obu => ((obu[0] >> 3) & 0x0F) != 2)
        .SelectMany(obu =>
        {
            var element = Element(obu);
            int headerLength = (element[0] & 0x04) != 0 ? 2 : 1;
            return (byte[])[(byte)(element[0] | 0x02), .. element[1..headerLength], .. Leb128((uint)(element.Length - headerLength)), .. element[headerLength..]];
        })
        .ToArray();

    /// <summary>An OBU as an RTP element: obu_has_size_field cleared and the size field removed.</summary>
    static byte[] Element(byte[] obu)
    {
        int headerLength = (obu[0] & 0x04) != 0 ? 2 : 1, offset = headerLength;
        ReadLeb128(obu, ref offset);
        return [(byte)(obu[0] & ~0x02), .. obu[1..headerLength], .. obu[offset..]];
    }

    public static List<byte[]> Packetize(IReadOnlyList<byte[]> units, int maxPayload, ushort firstSequence = 1000, uint firstTimestamp = 90_000)
    {
        var packets = new List<byte[]>();
        ushort sequence = firstSequence;
        for (int u = 0; u < units.Count; u++)
        {
            var obus = Obus(units[u]);
            var elements = obus.Where(obu => ((obu[0] >> 3) & 0x0F) != 2).Select(Element).ToList();
            bool newSequence = obus.Any(obu => ((obu[0] >> 3) & 0x0F) == 1);
            uint timestamp = firstTimestamp + (uint)(3000 * u);
            foreach (var payload in PacketizeUnit(elements, maxPayload, newSequence))
                packets.Add(Rtp(sequence++, timestamp, marker: false, payload));
            packets[^1][1] |= 0x80;
        }
        return packets;
    }

    static IEnumerable<byte[]> PacketizeUnit(List<byte[]> elements, int maxPayload, bool newSequence)
    {
        var chunks = new List<byte[]>();
        int used = 1;
        bool continuation = false, first = true;
        foreach (var element in elements)
        {
            for (int offset = 0; offset < element.Length;)
            {
                int room = maxPayload - used - 2; // a 2-octet LEB128 length holds up to 16383
                if (room <= 0)
                {
                    yield return Payload(chunks, continuation, continues: false, newSequence && first);
                    (chunks, used, continuation, first) = ([], 1, false, false);
                    continue;
                }
                int take = Math.Min(room, element.Length - offset);
                chunks.Add(element[offset..(offset + take)]);
                used += take + Leb128((uint)take).Length;
                offset += take;
                if (offset < element.Length)
                {
                    yield return Payload(chunks, continuation, continues: true, newSequence && first);
                    (chunks, used, continuation, first) = ([], 1, true, false);
                }
            }
        }
        if (chunks.Count > 0) yield return Payload(chunks, continuation, continues: false, newSequence && first);
    }

    static byte[] Payload(List<byte[]> chunks, bool continuation, bool continues, bool newSequence)
    {
        int count = chunks.Count <= 3 ? chunks.Count : 0;
        var payload = new List<byte> { (byte)((continuation ? 0x80 : 0) | (continues ? 0x40 : 0) | (count << 4) | (newSequence ? 0x08 : 0)) };
        for (int i = 0; i < chunks.Count; i++)
        {
            if (count == 0 || i < count - 1) payload.AddRange(Leb128((uint)chunks[i].Length));
            payload.AddRange(chunks[i]);
        }
        return [.. payload];
    }

    public static byte[] Rtp(ushort sequence, uint timestamp, bool marker, byte[] payload, uint ssrc = 0x1234)
    {
        var packet = new byte[12 + payload.Length];
        packet[0] = 0x80;
        packet[1] = (byte)((marker ? 0x80 : 0) | 96);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        payload.CopyTo(packet, 12);
        return packet;
    }

    public static byte[] Leb128(uint value)
    {
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value != 0 ? (byte)(b | 0x80) : b);
        } while (value != 0);
        return [.. bytes];
    }

    static ulong ReadLeb128(byte[] data, ref int offset)
    {
        ulong value = 0;
        for (int i = 0; ; i++)
        {
            byte b = data[offset++];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) return value;
        }
    }
}
