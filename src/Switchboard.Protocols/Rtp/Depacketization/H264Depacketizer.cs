using System.Buffers.Binary;
using Switchboard.Protocols.Codecs;

namespace Switchboard.Protocols.Rtp.Depacketization;

/// <summary>
/// RFC 6184 in packetization mode 1 (non-interleaved): single NAL unit packets (§5.6), STAP-A (§5.7.1) and FU-A (§5.8)
/// make an access unit, written in Annex B form (00 00 00 01 before each NAL unit). An FU-A's NAL unit header is rebuilt
/// from the FU indicator's F and NRI and the FU header's type; a fragment without its start, a start while another NAL
/// unit is open, or an unfinished one makes no frame. An access unit with an IDR slice (type 5) is a key frame; the
/// latest sequence and picture parameter sets (types 7 and 8) are kept, and a key frame that lacks them in-band gets
/// them in front (after an access unit delimiter), so every key frame decodes alone. Width and height come from the SPS.
/// </summary>
internal sealed class H264Depacketizer : Depacketizer
{
    const int StapA = 24, FuA = 28;
    const int Idr = 5, Sps = 7, Pps = 8, AccessUnitDelimiter = 9;
    static readonly byte[] StartCode = [0, 0, 0, 1];

    readonly ByteBuffer _nalBytes = new(4096);
    readonly List<(int Start, int Length)> _nals = [];
    byte[]? _sps, _pps;
    int _width, _height;

    /// <summary>
    /// A sequence parameter set, or the first slice of an IDR picture (first_mb_in_slice 0, a ue(v) whose first bit is
    /// 1), alone, in a STAP-A, or in an FU-A's first fragment: where an access unit a decoder can start from begins.
    /// </summary>
    public override bool IsKeyframeStart(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty) return false;
        int type = payload[0] & 0x1F;
        if (type == StapA)
        {
            for (int offset = 1; payload.Length - offset >= 3;)
            {
                int size = BinaryPrimitives.ReadUInt16BigEndian(payload[offset..]);
                offset += 2;
                if (size == 0 || size > payload.Length - offset) return false;
                if (StartsKeyframe(payload.Slice(offset, size))) return true;
                offset += size;
            }
            return false;
        }
        if (type == FuA)
            return payload.Length >= 3 && (payload[1] & 0x80) != 0 && StartsKeyframe([(byte)(payload[1] & 0x1F), payload[2]]);
        return StartsKeyframe(payload);
    }

    static bool StartsKeyframe(ReadOnlySpan<byte> nal) => (nal[0] & 0x1F) switch
    {
        Sps => true,
        Idr => nal.Length >= 2 && (nal[1] & 0x80) != 0,
        _ => false,
    };

    public override bool TryAssemble(IReadOnlyList<byte[]> payloads, out byte[] frame, out FrameInfo info)
    {
        frame = [];
        info = default;
        if (!TryCollectNals(payloads)) return false;

        bool idr = false, sps = false, pps = false;
        foreach (var (start, length) in _nals)
        {
            var nal = _nalBytes.Written.Slice(start, length);
            switch (nal[0] & 0x1F)
            {
                case Idr:
                    idr = true;
                    break;
                case Sps:
                    sps = true;
                    _sps = nal.ToArray();
                    (_width, _height) = H264SequenceParameterSet.TryParse(nal, out var parsed) ? (parsed.Width, parsed.Height) : (0, 0);
                    break;
                case Pps:
                    pps = true;
                    _pps = nal.ToArray();
                    break;
            }
        }
        byte[]? addSps = idr && !sps ? _sps : null, addPps = idr && !pps ? _pps : null;
        int total = 0;
        foreach (var (_, length) in _nals) total += StartCode.Length + length;
        if (addSps is not null) total += StartCode.Length + addSps.Length;
        if (addPps is not null) total += StartCode.Length + addPps.Length;

        frame = new byte[total];
        int offset = 0;
        int insertAt = (_nalBytes.Written[_nals[0].Start] & 0x1F) == AccessUnitDelimiter ? 1 : 0;
        for (int i = 0; i < _nals.Count; i++)
        {
            if (i == insertAt)
            {
                if (addSps is not null) Write(frame, ref offset, addSps);
                if (addPps is not null) Write(frame, ref offset, addPps);
            }
            Write(frame, ref offset, _nalBytes.Written.Slice(_nals[i].Start, _nals[i].Length));
        }
        info = idr ? new FrameInfo(true, _width, _height) : new FrameInfo(false, 0, 0);
        return true;
    }

    static void Write(byte[] frame, ref int offset, ReadOnlySpan<byte> nal)
    {
        StartCode.CopyTo(frame, offset);
        nal.CopyTo(frame.AsSpan(offset + StartCode.Length));
        offset += StartCode.Length + nal.Length;
    }

    bool TryCollectNals(IReadOnlyList<byte[]> payloads)
    {
        _nalBytes.Clear();
        _nals.Clear();
        int fragmentStart = -1, fragmentType = 0;
        foreach (byte[] payload in payloads)
        {
            if (payload.Length == 0) return false;
            int type = payload[0] & 0x1F;
            if (fragmentStart >= 0 && type != FuA) return false; // an FU-A left unfinished
            switch (type)
            {
                case >= 1 and <= 23:
                    AddNal(payload);
                    break;
                case StapA:
                    int offset = 1;
                    if (payload.Length < 3) return false;
                    while (offset < payload.Length)
                    {
                        if (payload.Length - offset < 2) return false;
                        int size = BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(offset));
                        offset += 2;
                        if (size == 0 || size > payload.Length - offset) return false;
                        AddNal(payload.AsSpan(offset, size));
                        offset += size;
                    }
                    break;
                case FuA:
                    if (payload.Length < 3) return false;
                    byte header = payload[1];
                    bool start = (header & 0x80) != 0, end = (header & 0x40) != 0;
                    if (start)
                    {
                        if (fragmentStart >= 0) return false;
                        fragmentStart = _nalBytes.Length;
                        fragmentType = header & 0x1F;
                        _nalBytes.Byte((byte)((payload[0] & 0xE0) | fragmentType));
                    }
                    else if (fragmentStart < 0 || (header & 0x1F) != fragmentType) return false;
                    _nalBytes.Bytes(payload.AsSpan(2));
                    if (end)
                    {
                        _nals.Add((fragmentStart, _nalBytes.Length - fragmentStart));
                        fragmentStart = -1;
                    }
                    break;
                default:
                    return false; // STAP-B, MTAP and FU-B belong to the interleaved mode; 0, 30 and 31 are undefined
            }
        }
        return fragmentStart < 0 && _nals.Count > 0;
    }

    void AddNal(ReadOnlySpan<byte> nal)
    {
        _nals.Add((_nalBytes.Length, nal.Length));
        _nalBytes.Bytes(nal);
    }
}
