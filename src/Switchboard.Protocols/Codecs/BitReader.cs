namespace Switchboard.Protocols.Codecs;

/// <summary>
/// Reads a codec header bit by bit, most significant bit first. Reading past the end yields zeros and sets
/// <see cref="Overrun"/>, so a parser reads on and checks once; nothing throws.
/// </summary>
internal ref struct BitReader
{
    readonly ReadOnlySpan<byte> _data;
    int _position;

    public BitReader(ReadOnlySpan<byte> data) => _data = data;

    public bool Overrun { get; private set; }

    public uint ReadBit()
    {
        if (_position >= _data.Length * 8)
        {
            Overrun = true;
            return 0;
        }
        uint bit = (uint)(_data[_position >> 3] >> (7 - (_position & 7))) & 1;
        _position++;
        return bit;
    }

    public bool ReadFlag() => ReadBit() != 0;

    /// <summary>An unsigned value of up to 32 bits.</summary>
    public uint ReadBits(int count)
    {
        uint value = 0;
        for (int i = 0; i < count; i++) value = (value << 1) | ReadBit();
        return value;
    }

    public void Skip(int count)
    {
        for (int i = 0; i < count && !Overrun; i++) ReadBit();
    }

    /// <summary>H.264 §9.1 ue(v): leading zeros, a one, as many bits again. More than 31 leading zeros is an overrun.</summary>
    public uint ReadExpGolomb()
    {
        int zeros = 0;
        while (ReadBit() == 0)
        {
            if (Overrun || ++zeros > 31)
            {
                Overrun = true;
                return 0;
            }
        }
        return (uint)((1UL << zeros) - 1 + ReadBits(zeros));
    }

    /// <summary>H.264 §9.1.1 se(v): 1, -1, 2, -2, ... from ue(v).</summary>
    public long ReadSignedExpGolomb()
    {
        long k = ReadExpGolomb();
        return (k & 1) != 0 ? (k + 1) / 2 : -(k / 2);
    }

    /// <summary>AV1 §4.10.3 uvlc(): 32 or more leading zeros is the largest value.</summary>
    public uint ReadUvlc()
    {
        int zeros = 0;
        while (ReadBit() == 0 && !Overrun) zeros++;
        return zeros >= 32 ? uint.MaxValue : (uint)((1UL << zeros) - 1 + ReadBits(zeros));
    }
}
