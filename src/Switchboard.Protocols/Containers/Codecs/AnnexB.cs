using Switchboard.Protocols.Codecs;

namespace Switchboard.Protocols.Containers.Codecs;

/// <summary>H.264 byte streams (ITU-T H.264 Annex B): NAL units between start codes, and their conversion to the
/// 4-byte length-prefixed form MP4 and Matroska store (ISO/IEC 14496-15 §5.3.3).</summary>
internal static class AnnexB
{
    public const int Sps = 7, Pps = 8, AccessUnitDelimiter = 9, FillerData = 12;

    /// <summary>The NAL units of an access unit, start codes and trailing zero bytes left out.</summary>
    public static List<Range> NalUnits(ReadOnlySpan<byte> data)
    {
        var units = new List<Range>();
        int start = -1;
        int i = 0;
        while (i + 2 < data.Length)
        {
            if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1)
            {
                if (start >= 0) Add(units, start, TrimZeros(data, start, i));
                i += 3;
                start = i;
            }
            else i++;
        }
        if (start >= 0) Add(units, start, TrimZeros(data, start, data.Length));
        return units;
    }

    static void Add(List<Range> units, int start, int end)
    {
        if (end > start) units.Add(start..end);
    }

    static int TrimZeros(ReadOnlySpan<byte> data, int start, int end)
    {
        while (end > start && data[end - 1] == 0) end--;
        return end;
    }

    public static int NalType(ReadOnlySpan<byte> unit) => unit[0] & 0x1F;

    /// <summary>Appends the access unit's NAL units, each after its 4-byte big-endian length; delimiters and filler data are
    /// left out. Returns the bytes appended (0 when there is no NAL unit to store).</summary>
    public static int ToLengthPrefixed(ReadOnlySpan<byte> data, ByteBuffer output)
    {
        int before = output.Length;
        foreach (var range in NalUnits(data))
        {
            var unit = data[range];
            if (NalType(unit) is AccessUnitDelimiter or FillerData) continue;
            output.UInt32((uint)unit.Length);
            output.Bytes(unit);
        }
        return output.Length - before;
    }
}
