namespace Switchboard.Protocols.Containers.Ogg;

/// <summary>The Ogg page checksum (RFC 3533 §6): CRC-32 with polynomial 0x04C11DB7, initial value 0, no reflection and
/// no final XOR, over the whole page with its checksum field zero.</summary>
internal static class OggCrc
{
    static readonly uint[] Table = CreateTable();

    static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint crc = i << 24;
            for (int bit = 0; bit < 8; bit++) crc = (crc & 0x8000_0000) != 0 ? crc << 1 ^ 0x04C1_1DB7 : crc << 1;
            table[i] = crc;
        }
        return table;
    }

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0;
        foreach (byte b in data) crc = crc << 8 ^ Table[(crc >> 24) ^ b];
        return crc;
    }
}
