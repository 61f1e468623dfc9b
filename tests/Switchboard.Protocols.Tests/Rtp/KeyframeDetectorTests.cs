using Switchboard.Protocols.Rtp;

namespace Switchboard.Protocols.Tests.Rtp;

/// <summary>Key frame starts of VP8, VP9, H.264 and AV1 from hand-built payloads, per their RTP payload formats.</summary>
public class KeyframeDetectorTests
{
    // RFC 7741 §4.2: X=1 S=1 PID=0; I=1; picture id 42. §4.3 / RFC 6386 §9.1: frame tag (P=0, show_frame, first
    // partition 16 bytes), start code 9D 01 2A, 640 x 480, then the start of the first partition.
    static readonly byte[] Vp8Keyframe = Convert.FromHexString("90802A" + "1002009D012A8002E001" + "00112233");

    [Theory]
    [InlineData("vp8", VideoCodec.Vp8)]
    [InlineData("VP9", VideoCodec.Vp9)]
    [InlineData("h264", VideoCodec.H264)]
    [InlineData("AV1", VideoCodec.Av1)]
    [InlineData("av1x", VideoCodec.Av1)]
    [InlineData("opus", VideoCodec.Unknown)]
    [InlineData("rtx", VideoCodec.Unknown)]
    [InlineData("", VideoCodec.Unknown)]
    public void Encoding_names_map_case_insensitively(string encoding, VideoCodec codec) =>
        Assert.Equal(codec, VideoCodecs.FromEncoding(encoding));

    [Fact]
    public void A_vp8_key_frame_first_packet_is_a_key_frame_start() =>
        Assert.True(KeyframeDetector.IsKeyframeStart(VideoCodec.Vp8, Vp8Keyframe));

    [Theory]
    [InlineData("10" + "1002009D012A8002E001", true)] // no extensions
    [InlineData("9080" + "812A" + "1002009D012A8002E001", true)] // 15-bit picture id
    [InlineData("90F0" + "2A" + "05" + "40" + "1002009D012A8002E001", true)] // I, L, T and K
    [InlineData("9060" + "05" + "40" + "1002009D012A8002E001", true)] // L and T without I
    [InlineData("90802A" + "3102009D012A8002E001", false)] // P=1: an inter frame
    [InlineData("80802A" + "1002009D012A8002E001", false)] // S=0: a continuation packet
    [InlineData("91802A" + "1002009D012A8002E001", false)] // PID=1: another partition
    [InlineData("90802A" + "1002009D012B8002E001", false)] // wrong start code
    [InlineData("90802A" + "1002009D012A8002E0", false)] // key frame header cut short
    [InlineData("90802A", false)] // descriptor only
    [InlineData("9080", false)] // picture id missing
    [InlineData("90", false)] // extension octet missing
    [InlineData("", false)]
    public void Vp8_descriptor_and_payload_header(string hex, bool keyframeStart) =>
        Assert.Equal(keyframeStart, KeyframeDetector.IsKeyframeStart(VideoCodec.Vp8, Convert.FromHexString(hex)));

    [Theory]
    // I B V, 15-bit picture id; SS: one spatial layer (N_S=0) with Y and G: 1280x720, one picture (TID 0, R=1, P_DIFF 1); then the frame.
    [InlineData("8A" + "8001" + "18" + "050002D0" + "01" + "04" + "01" + "824983", true)]
    // I L F B (flexible), layer byte TID 0 SID 0: SVC's base spatial layer.
    [InlineData("B8" + "05" + "00" + "8249", true)]
    // The same with SID 1: the frame's upper spatial layer, not where decoding starts.
    [InlineData("B8" + "05" + "02" + "8249", false)]
    // Non-flexible with L: layer byte then TL0PICIDX.
    [InlineData("A8" + "05" + "00" + "07" + "8249", true)]
    [InlineData("A8" + "05" + "00" + "07", false)] // nothing after the descriptor
    [InlineData("A8" + "05" + "00", false)] // TL0PICIDX missing
    [InlineData("C8" + "05" + "8249", false)] // P=1: inter-picture predicted
    [InlineData("80" + "05" + "8249", false)] // B=0: not the beginning of a frame
    [InlineData("0A" + "10" + "0500", false)] // SS with Y announces 4 size bytes, 2 present
    [InlineData("0A" + "08", false)] // SS with G, picture count missing
    [InlineData("0A" + "08" + "02" + "04", false)] // two pictures announced, one present
    [InlineData("88" + "80", false)] // 15-bit picture id cut short
    [InlineData("08" + "8249", true)] // only B: the smallest key frame start
    [InlineData("", false)]
    public void Vp9_descriptor(string hex, bool keyframeStart) =>
        Assert.Equal(keyframeStart, KeyframeDetector.IsKeyframeStart(VideoCodec.Vp9, Convert.FromHexString(hex)));

    [Theory]
    [InlineData("6588840021", true)] // IDR slice
    [InlineData("6742C01F", true)] // SPS
    [InlineData("68CE3C80", false)] // PPS alone
    [InlineData("419A0012", false)] // non-IDR slice
    [InlineData("06050102", false)] // SEI
    // STAP-A (24): SPS, PPS, IDR as Chromium sends a key frame's start.
    [InlineData("78" + "0004" + "6742C01F" + "0002" + "68CE" + "0003" + "658884", true)]
    [InlineData("78" + "0002" + "68CE" + "0003" + "06FF00", false)] // PPS and SEI only
    [InlineData("78" + "0004" + "6742C01F" + "0009" + "68CE", false)] // second size past the end
    [InlineData("78" + "0004" + "6742C01F" + "00", false)] // half a size field
    [InlineData("78" + "0000" + "0004" + "6742C01F", false)] // zero-size unit
    [InlineData("78", false)] // no units
    // FU-A (28): FU indicator, FU header S E R type.
    [InlineData("7C" + "85" + "888400", true)] // start of an IDR
    [InlineData("7C" + "87" + "42C0", true)] // start of an SPS
    [InlineData("7C" + "05" + "888400", false)] // middle fragment
    [InlineData("7C" + "45" + "888400", false)] // end fragment
    [InlineData("7C" + "C5" + "888400", false)] // S and E both set
    [InlineData("7C" + "81" + "9A00", false)] // start of a non-IDR slice
    [InlineData("7C" + "85", false)] // no fragment payload
    [InlineData("79" + "0004" + "6742C01F", false)] // STAP-B: not used by WebRTC
    [InlineData("", false)]
    public void H264_nal_units_aggregates_and_fragments(string hex, bool keyframeStart) =>
        Assert.Equal(keyframeStart, KeyframeDetector.IsKeyframeStart(VideoCodec.H264, Convert.FromHexString(hex)));

    [Theory]
    [InlineData("18" + "0A0B000C", true)] // N=1, W=1: one OBU element without a length
    [InlineData("08" + "02" + "0A0B", true)] // W=0: each element with its LEB128 length
    [InlineData("28" + "01" + "12" + "0A0B0C", true)] // W=2: the first with a length, the last without
    [InlineData("08" + "03" + "0A0B", false)] // first element longer than the packet
    [InlineData("08" + "00" + "0A0B", false)] // empty first element
    [InlineData("08" + "80", false)] // LEB128 cut short
    [InlineData("10" + "0A0B", false)] // N=0: not a new coded video sequence
    [InlineData("98" + "0A0B", false)] // Z=1 with N=1: a continuation cannot start a sequence
    [InlineData("18", false)] // aggregation header only
    [InlineData("", false)]
    public void Av1_aggregation_header(string hex, bool keyframeStart) =>
        Assert.Equal(keyframeStart, KeyframeDetector.IsKeyframeStart(VideoCodec.Av1, Convert.FromHexString(hex)));

    [Fact]
    public void A_multi_byte_leb128_length_is_read_whole()
    {
        var fits = new byte[3 + 129];
        fits[0] = 0x08;
        fits[1] = 0x81; // 129 = 0x81 0x01
        fits[2] = 0x01;
        Assert.True(KeyframeDetector.IsKeyframeStart(VideoCodec.Av1, fits));
        Assert.False(KeyframeDetector.IsKeyframeStart(VideoCodec.Av1, fits.AsSpan(0, fits.Length - 1)));
    }

    [Fact]
    public void An_unknown_codec_has_no_key_frames() =>
        Assert.False(KeyframeDetector.IsKeyframeStart(VideoCodec.Unknown, Vp8Keyframe));

    [Fact]
    public void Random_payloads_never_throw()
    {
        var random = new Random(7);
        var payload = new byte[64];
        foreach (var codec in Enum.GetValues<VideoCodec>())
        {
            for (int i = 0; i < 20_000; i++)
            {
                random.NextBytes(payload);
                KeyframeDetector.IsKeyframeStart(codec, payload.AsSpan(0, random.Next(payload.Length + 1)));
            }
        }
    }
}
