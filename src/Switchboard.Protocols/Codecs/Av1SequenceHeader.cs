namespace Switchboard.Protocols.Codecs;

/// <summary>
/// An AV1 sequence header OBU's payload (AV1 §5.5.1 sequence_header_obu()): the profile, the first operating point's
/// level and tier, the maximum frame size, and color_config() (§5.5.2) as far as the AV1CodecConfigurationRecord needs it.
/// </summary>
internal readonly record struct Av1SequenceHeader(
    uint Profile, uint Level, uint Tier, int MaxWidth, int MaxHeight, bool HighBitDepth, bool TwelveBit, bool Monochrome,
    bool SubsamplingX, bool SubsamplingY, uint ChromaSamplePosition)
{
    /// <summary>Reads up to max_frame_height_minus_1; false when the payload ends before it.</summary>
    public static bool TryReadMaxFrameSize(ReadOnlySpan<byte> payload, out int width, out int height)
    {
        var bits = new BitReader(payload);
        var header = ReadThroughFrameSize(ref bits, out _);
        (width, height) = (header.MaxWidth, header.MaxHeight);
        return !bits.Overrun;
    }

    /// <summary>Reads through color_config(); false when the payload ends before it or the profile is reserved.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out Av1SequenceHeader header)
    {
        var bits = new BitReader(payload);
        header = ReadThroughFrameSize(ref bits, out bool reduced);
        if (!reduced && bits.ReadFlag()) bits.Skip(7); // frame_id_numbers_present_flag and its lengths
        bits.Skip(3); // use_128x128_superblock, enable_filter_intra, enable_intra_edge
        if (!reduced)
        {
            bits.Skip(4); // interintra, masked compound, warped motion, dual filter
            bool orderHint = bits.ReadFlag();
            if (orderHint) bits.Skip(2); // enable_jnt_comp, enable_ref_frame_mvs
            bool forceScreenContentTools = bits.ReadFlag() || bits.ReadFlag(); // seq_choose_screen_content_tools, else the value
            if (forceScreenContentTools && !bits.ReadFlag()) bits.ReadBit(); // seq_choose_integer_mv, else seq_force_integer_mv
            if (orderHint) bits.Skip(3); // order_hint_bits_minus_1
        }
        bits.Skip(3); // enable_superres, enable_cdef, enable_restoration

        // color_config(), §5.5.2
        uint profile = header.Profile;
        bool highBitDepth = bits.ReadFlag();
        bool twelveBit = profile == 2 && highBitDepth && bits.ReadFlag();
        bool monochrome = profile != 1 && bits.ReadFlag();
        uint primaries = 2, transfer = 2, matrix = 2;
        if (bits.ReadFlag()) (primaries, transfer, matrix) = (bits.ReadBits(8), bits.ReadBits(8), bits.ReadBits(8));
        bool subsamplingX, subsamplingY;
        uint chromaSamplePosition = 0;
        if (monochrome) (subsamplingX, subsamplingY) = (true, true);
        else if (primaries == 1 && transfer == 13 && matrix == 0) (subsamplingX, subsamplingY) = (false, false); // sRGB
        else
        {
            bits.ReadBit(); // color_range
            if (profile == 0) (subsamplingX, subsamplingY) = (true, true);
            else if (profile == 1) (subsamplingX, subsamplingY) = (false, false);
            else if (twelveBit)
            {
                subsamplingX = bits.ReadFlag();
                subsamplingY = subsamplingX && bits.ReadFlag();
            }
            else (subsamplingX, subsamplingY) = (true, false);
            if (subsamplingX && subsamplingY) chromaSamplePosition = bits.ReadBits(2);
        }
        header = header with
        {
            HighBitDepth = highBitDepth,
            TwelveBit = twelveBit,
            Monochrome = monochrome,
            SubsamplingX = subsamplingX,
            SubsamplingY = subsamplingY,
            ChromaSamplePosition = chromaSamplePosition,
        };
        return !bits.Overrun && profile <= 2;
    }

    /// <summary>seq_profile to max_frame_height_minus_1: still picture flags, timing and decoder model info, the operating
    /// points.</summary>
    static Av1SequenceHeader ReadThroughFrameSize(ref BitReader bits, out bool reduced)
    {
        uint profile = bits.ReadBits(3);
        bits.ReadBit(); // still_picture
        reduced = bits.ReadFlag(); // reduced_still_picture_header
        uint level0 = 0, tier0 = 0;
        if (reduced) level0 = bits.ReadBits(5);
        else
        {
            bool decoderModelInfo = false;
            int bufferDelayLength = 0;
            if (bits.ReadFlag()) // timing_info_present_flag
            {
                bits.Skip(64); // num_units_in_display_tick, time_scale
                if (bits.ReadFlag()) bits.ReadUvlc(); // equal_picture_interval: num_ticks_per_picture_minus_1
                decoderModelInfo = bits.ReadFlag();
                if (decoderModelInfo)
                {
                    bufferDelayLength = (int)bits.ReadBits(5) + 1;
                    bits.Skip(32 + 5 + 5); // num_units_in_decoding_tick, buffer_removal_time_length_minus_1, frame_presentation_time_length_minus_1
                }
            }
            bool initialDisplayDelay = bits.ReadFlag();
            int operatingPoints = (int)bits.ReadBits(5) + 1;
            for (int i = 0; i < operatingPoints && !bits.Overrun; i++)
            {
                bits.Skip(12); // operating_point_idc
                uint level = bits.ReadBits(5);
                uint tier = level > 7 ? bits.ReadBit() : 0;
                if (i == 0) (level0, tier0) = (level, tier);
                if (decoderModelInfo && bits.ReadFlag()) bits.Skip(2 * bufferDelayLength + 1); // operating_parameters_info()
                if (initialDisplayDelay && bits.ReadFlag()) bits.Skip(4);
            }
        }
        int widthBits = (int)bits.ReadBits(4) + 1, heightBits = (int)bits.ReadBits(4) + 1;
        int width = (int)bits.ReadBits(widthBits) + 1, height = (int)bits.ReadBits(heightBits) + 1;
        return new Av1SequenceHeader(profile, level0, tier0, width, height, false, false, false, false, false, 0);
    }
}
