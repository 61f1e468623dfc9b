using Switchboard.Protocols.Codecs;

namespace Switchboard.Protocols.Containers.Codecs;

/// <summary>An AV1 stream's sequence header and the AV1CodecConfigurationRecord (av1C, AV1 ISOBMFF binding §2.3.3) that
/// Matroska stores as CodecPrivate (AV1 codec mapping for Matroska, "CodecPrivate").</summary>
internal sealed class Av1Configuration
{
    Av1Configuration(byte[] av1C, int width, int height)
    {
        Av1C = av1C;
        Width = width;
        Height = height;
    }

    public byte[] Av1C { get; }
    public int Width { get; }
    public int Height { get; }

    /// <summary>Reads the sequence header OBU of a parsed temporal unit; false when there is none or it does not parse.</summary>
    public static bool TryRead(ReadOnlySpan<byte> temporalUnit, List<Av1Obu> obus, out Av1Configuration configuration)
    {
        configuration = null!;
        foreach (var obu in obus)
        {
            if (obu.Type != Av1Obus.SequenceHeader) continue;
            var whole = temporalUnit[obu.Whole];
            if ((whole[0] & 0x02) == 0) return false; // configOBUs need obu_has_size_field
            if (!TryParse(temporalUnit[obu.Payload], whole, out configuration)) return false;
            return true;
        }
        return false;
    }

    /// <summary>av1C for a sequence header: its fields, then the whole OBU as configOBUs.</summary>
    static bool TryParse(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> obu, out Av1Configuration configuration)
    {
        configuration = null!;
        if (!Av1SequenceHeader.TryParse(payload, out var header)) return false;
        var av1C = new byte[4 + obu.Length];
        av1C[0] = 0x81; // marker, version 1
        av1C[1] = (byte)(header.Profile << 5 | header.Level);
        av1C[2] = (byte)(header.Tier << 7 | (header.HighBitDepth ? 0x40u : 0) | (header.TwelveBit ? 0x20u : 0)
            | (header.Monochrome ? 0x10u : 0) | (header.SubsamplingX ? 0x08u : 0) | (header.SubsamplingY ? 0x04u : 0)
            | header.ChromaSamplePosition);
        obu.CopyTo(av1C.AsSpan(4)); // configOBUs; byte 3 (initial_presentation_delay) stays 0
        configuration = new Av1Configuration(av1C, header.MaxWidth, header.MaxHeight);
        return true;
    }
}
