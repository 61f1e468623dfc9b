namespace Switchboard.Protocols.Codecs;

/// <summary>One OBU: where it lies (header included), its type and where its payload lies.</summary>
internal readonly record struct Av1Obu(Range Whole, int Type, Range Payload);

/// <summary>AV1 OBUs (AV1 §5.3: obu_header, then obu_size in leb128 when obu_has_size_field is set, else the rest of the
/// data) and temporal units in the low-overhead bitstream format (§5.2).</summary>
internal static class Av1Obus
{
    public const int SequenceHeader = 1, TemporalDelimiter = 2, TileList = 8, Padding = 15;

    /// <summary>The OBUs of a temporal unit; false when it is empty or malformed (forbidden bit set, a size past the end,
    /// a size field missing on any OBU but the last).</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, List<Av1Obu> obus)
    {
        obus.Clear();
        int offset = 0;
        while (offset < data.Length)
        {
            if (!TryRead(data, ref offset, out var obu)) return false;
            obus.Add(obu);
        }
        return obus.Count > 0;
    }

    /// <summary>The OBU at <paramref name="offset"/>, which moves past it; false when there is none or it is malformed.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, ref int offset, out Av1Obu obu)
    {
        obu = default;
        if (offset >= data.Length) return false;
        int start = offset;
        byte header = data[offset++];
        if ((header & 0x80) != 0) return false; // obu_forbidden_bit
        int type = header >> 3 & 0x0F;
        if ((header & 0x04) != 0) offset++; // obu_extension_header
        if (offset > data.Length) return false;
        ulong size = (ulong)(data.Length - offset);
        if ((header & 0x02) != 0 && !Leb128.TryRead(data, ref offset, out size)) return false; // obu_has_size_field
        if (size > (ulong)(data.Length - offset)) return false;
        int end = offset + (int)size;
        obu = new Av1Obu(start..end, type, offset..end);
        offset = end;
        return true;
    }
}
