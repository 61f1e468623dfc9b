using Switchboard.Protocols.Codecs;

namespace Switchboard.Protocols.Containers.Codecs;

/// <summary>An H.264 stream's parameter sets, taken from a key frame, and the AVCDecoderConfigurationRecord (avcC,
/// ISO/IEC 14496-15 §5.3.3.1) MP4 and Matroska store them in.</summary>
internal sealed class AvcConfiguration
{
    readonly H264SequenceParameterSet _parsed;

    AvcConfiguration(byte[] sps, byte[] pps, H264SequenceParameterSet parsed)
    {
        Sps = sps;
        Pps = pps;
        _parsed = parsed;
    }

    public byte[] Sps { get; }
    public byte[] Pps { get; }
    public int Width => _parsed.Width;
    public int Height => _parsed.Height;

    /// <summary>The first SPS and PPS of an Annex B access unit; false when it lacks either or the SPS does not parse.</summary>
    public static bool TryRead(ReadOnlySpan<byte> accessUnit, out AvcConfiguration configuration)
    {
        configuration = null!;
        byte[]? sps = null, pps = null;
        foreach (var range in AnnexB.NalUnits(accessUnit))
        {
            var unit = accessUnit[range];
            int type = AnnexB.NalType(unit);
            if (type == AnnexB.Sps && sps is null) sps = unit.ToArray();
            else if (type == AnnexB.Pps && pps is null) pps = unit.ToArray();
        }
        if (sps is null || pps is null || !H264SequenceParameterSet.TryParse(sps, out var parsed)) return false;
        configuration = new AvcConfiguration(sps, pps, parsed);
        return true;
    }

    public bool SameAs(AvcConfiguration other) => Sps.AsSpan().SequenceEqual(other.Sps) && Pps.AsSpan().SequenceEqual(other.Pps);

    public byte[] ToAvcC()
    {
        var record = new ByteBuffer();
        record.Byte(1); // configurationVersion
        record.Byte(_parsed.Profile); // AVCProfileIndication
        record.Byte(_parsed.Constraints); // profile_compatibility
        record.Byte(_parsed.Level); // AVCLevelIndication
        record.Byte(0xFF); // reserved, lengthSizeMinusOne = 3
        record.Byte(0xE1); // reserved, one SPS
        record.UInt16((ushort)Sps.Length);
        record.Bytes(Sps);
        record.Byte(1);
        record.UInt16((ushort)Pps.Length);
        record.Bytes(Pps);
        return record.Written.ToArray();
    }
}
