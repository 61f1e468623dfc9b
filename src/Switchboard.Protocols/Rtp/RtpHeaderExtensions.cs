namespace Switchboard.Protocols.Rtp;

/// <summary>
/// The elements of an RTP header extension in the one-byte (RFC 8285 §4.2, profile 0xBEDE) or two-byte
/// (§4.3, profile 0x100x) form. Enumerating stops at the first malformed element.
/// </summary>
public readonly ref struct RtpHeaderExtensions(ushort profile, ReadOnlySpan<byte> data)
{
    public const ushort OneByteProfile = 0xBEDE;

    readonly ReadOnlySpan<byte> _data = data;

    public bool IsOneByte => profile == OneByteProfile;
    public bool IsTwoByte => (profile & 0xFFF0) == 0x1000;

    public Enumerator GetEnumerator() => new(IsOneByte ? 1 : IsTwoByte ? 2 : 0, _data);

    public bool TryFind(int id, out ReadOnlySpan<byte> value)
    {
        foreach (var element in this)
        {
            if (element.Id == id)
            {
                value = element.Value;
                return true;
            }
        }
        value = default;
        return false;
    }

    public readonly ref struct Element(int id, ReadOnlySpan<byte> value)
    {
        public int Id { get; } = id;
        public ReadOnlySpan<byte> Value { get; } = value;
    }

    public ref struct Enumerator(int form, ReadOnlySpan<byte> data)
    {
        readonly ReadOnlySpan<byte> _data = data;
        int _offset;
        int _id;
        int _valueOffset;
        int _valueLength;

        public readonly Element Current => new(_id, _data.Slice(_valueOffset, _valueLength));

        public bool MoveNext()
        {
            while (form != 0 && _offset < _data.Length)
            {
                byte first = _data[_offset];
                if (first == 0) // padding between elements
                {
                    _offset++;
                    continue;
                }
                if (form == 1)
                {
                    _id = first >> 4;
                    if (_id == 15) return false; // §4.2: id 15 means stop
                    _valueLength = (first & 0x0F) + 1;
                    _valueOffset = _offset + 1;
                }
                else
                {
                    if (_offset + 1 >= _data.Length) return false;
                    _id = first;
                    _valueLength = _data[_offset + 1];
                    _valueOffset = _offset + 2;
                }
                if (_valueOffset + _valueLength > _data.Length) return false;
                _offset = _valueOffset + _valueLength;
                return true;
            }
            return false;
        }
    }
}
