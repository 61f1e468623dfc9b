namespace Switchboard.Protocols.Tests.Codecs;

/// <summary>Bytes from a string of 0s and 1s, most significant bit first, the last byte padded with zeros; spaces are
/// left out, so a test can group the bits by field.</summary>
internal static class BitString
{
    public static byte[] ToBytes(string bits)
    {
        bits = bits.Replace(" ", "");
        var bytes = new byte[(bits.Length + 7) / 8];
        for (int i = 0; i < bits.Length; i++)
        {
            if (bits[i] == '1') bytes[i / 8] |= (byte)(0x80 >> (i % 8));
        }
        return bytes;
    }
}
