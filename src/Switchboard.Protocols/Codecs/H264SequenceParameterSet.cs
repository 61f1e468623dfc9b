namespace Switchboard.Protocols.Codecs;

/// <summary>
/// What an H.264 sequence parameter set says (H.264 §7.3.2.1.1): profile_idc, the constraint flags, level_idc and the
/// picture size, cropping applied (§7.4.2.1.1). Emulation prevention bytes are removed first (§7.4.1). Every value is
/// bounded; a set that cannot be read does not parse.
/// </summary>
internal readonly record struct H264SequenceParameterSet(byte Profile, byte Constraints, byte Level, int Width, int Height)
{
    const int MaxDimension = 16384;

    /// <summary>Parses a whole SPS NAL unit, its header byte included.</summary>
    public static bool TryParse(ReadOnlySpan<byte> nal, out H264SequenceParameterSet sps)
    {
        sps = default;
        if (nal.Length < 4) return false;
        var rbsp = new byte[nal.Length - 1];
        int length = 0, zeros = 0;
        foreach (byte b in nal[1..])
        {
            if (zeros >= 2 && b == 3)
            {
                zeros = 0;
                continue;
            }
            zeros = b == 0 ? zeros + 1 : 0;
            rbsp[length++] = b;
        }
        var bits = new BitReader(rbsp.AsSpan(0, length));
        uint profile = bits.ReadBits(8);
        uint constraints = bits.ReadBits(8); // constraint_set0_flag to constraint_set5_flag, reserved_zero_2bits
        uint level = bits.ReadBits(8);
        bits.ReadExpGolomb(); // seq_parameter_set_id
        uint chromaFormat = 1;
        bool separateColourPlane = false;
        if (profile is 100 or 110 or 122 or 244 or 44 or 83 or 86 or 118 or 128 or 138 or 139 or 134 or 135)
        {
            chromaFormat = bits.ReadExpGolomb();
            if (chromaFormat > 3) return false;
            if (chromaFormat == 3) separateColourPlane = bits.ReadFlag();
            bits.ReadExpGolomb(); // bit_depth_luma_minus8
            bits.ReadExpGolomb(); // bit_depth_chroma_minus8
            bits.ReadBit(); // qpprime_y_zero_transform_bypass_flag
            if (bits.ReadFlag()) // seq_scaling_matrix_present_flag
            {
                int lists = chromaFormat != 3 ? 8 : 12;
                for (int i = 0; i < lists && !bits.Overrun; i++)
                    if (bits.ReadFlag()) SkipScalingList(ref bits, i < 6 ? 16 : 64);
            }
        }
        bits.ReadExpGolomb(); // log2_max_frame_num_minus4
        uint pictureOrderCountType = bits.ReadExpGolomb();
        if (pictureOrderCountType == 0) bits.ReadExpGolomb(); // log2_max_pic_order_cnt_lsb_minus4
        else if (pictureOrderCountType == 1)
        {
            bits.ReadBit(); // delta_pic_order_always_zero_flag
            bits.ReadSignedExpGolomb(); // offset_for_non_ref_pic
            bits.ReadSignedExpGolomb(); // offset_for_top_to_bottom_field
            uint cycle = bits.ReadExpGolomb();
            if (cycle > 255) return false;
            for (int i = 0; i < cycle && !bits.Overrun; i++) bits.ReadSignedExpGolomb();
        }
        else if (pictureOrderCountType > 2) return false;
        bits.ReadExpGolomb(); // max_num_ref_frames
        bits.ReadBit(); // gaps_in_frame_num_value_allowed_flag
        long widthInMacroblocks = bits.ReadExpGolomb() + 1L;
        long heightInMapUnits = bits.ReadExpGolomb() + 1L;
        bool frameMacroblocksOnly = bits.ReadFlag();
        if (!frameMacroblocksOnly) bits.ReadBit(); // mb_adaptive_frame_field_flag
        bits.ReadBit(); // direct_8x8_inference_flag
        long cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
        if (bits.ReadFlag())
        {
            cropLeft = bits.ReadExpGolomb();
            cropRight = bits.ReadExpGolomb();
            cropTop = bits.ReadExpGolomb();
            cropBottom = bits.ReadExpGolomb();
        }
        if (bits.Overrun) return false;

        // §7.4.2.1.1: the crop unit follows ChromaArrayType (0 with separate colour planes) and field coding.
        int fieldFactor = frameMacroblocksOnly ? 1 : 2;
        uint chromaArrayType = separateColourPlane ? 0 : chromaFormat;
        long cropUnitX = chromaArrayType is 1 or 2 ? 2 : 1;
        long cropUnitY = (chromaArrayType == 1 ? 2 : 1) * fieldFactor;
        long w = widthInMacroblocks * 16 - cropUnitX * (cropLeft + cropRight);
        long h = fieldFactor * heightInMapUnits * 16 - cropUnitY * (cropTop + cropBottom);
        if (w <= 0 || h <= 0 || w > MaxDimension || h > MaxDimension) return false;
        sps = new H264SequenceParameterSet((byte)profile, (byte)constraints, (byte)level, (int)w, (int)h);
        return true;
    }

    /// <summary>§7.3.2.1.1.1 scaling_list(): delta_scale values until the next scale is 0.</summary>
    static void SkipScalingList(ref BitReader bits, int size)
    {
        long last = 8, next = 8;
        for (int j = 0; j < size && !bits.Overrun; j++)
        {
            if (next != 0) next = ((last + bits.ReadSignedExpGolomb()) % 256 + 256) % 256;
            last = next == 0 ? last : next;
        }
    }
}
