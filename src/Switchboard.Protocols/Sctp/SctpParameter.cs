using System.Buffers.Binary;

namespace Switchboard.Protocols.Sctp;

/// <summary>
/// Parameter types of INIT, INIT-ACK, HEARTBEAT and RE-CONFIG chunks (RFC 9260 §3.3.2.1, §3.3.3.1, RFC 3758 §3.1,
/// RFC 5061 §4.2.7, RFC 6525 §4).
/// </summary>
public enum SctpParameterType : ushort
{
    HeartbeatInfo = 1,
    StateCookie = 7,
    UnrecognizedParameter = 8,
    CookiePreservative = 9,
    SupportedAddressTypes = 12,
    OutgoingSsnResetRequest = 13,
    IncomingSsnResetRequest = 14,
    SsnTsnResetRequest = 15,
    ReconfigurationResponse = 16,
    AddOutgoingStreamsRequest = 17,
    AddIncomingStreamsRequest = 18,
    SupportedExtensions = 0x8008,
    ForwardTsnSupported = 0xC000,
}

/// <summary>
/// One type-length-value field (RFC 9260 §3.2.1): a parameter, or an error cause, which has the same layout with a
/// cause code for the type.
/// </summary>
public readonly ref struct SctpParameter
{
    public const int HeaderLength = 4;

    public SctpParameter(ReadOnlySpan<byte> bytes)
    {
        Bytes = bytes;
    }

    /// <summary>The whole parameter, header included, without padding.</summary>
    public ReadOnlySpan<byte> Bytes { get; }
    public ushort RawType => BinaryPrimitives.ReadUInt16BigEndian(Bytes);
    public SctpParameterType Type => (SctpParameterType)RawType;
    public ReadOnlySpan<byte> Value => Bytes[HeaderLength..];

    /// <summary>Bit 15 of an unknown type: skip it and go on; clear: stop processing the chunk's parameters (§3.2.1).</summary>
    public bool SkipUnknown => (RawType & 0x8000) != 0;

    /// <summary>Bit 14 of an unknown type: report it as unrecognized.</summary>
    public bool ReportUnknown => (RawType & 0x4000) != 0;

    /// <summary>Writes a parameter (or error cause) header and returns its value to fill; the padding is zeroed.</summary>
    public static Span<byte> Write(Span<byte> destination, ushort type, int valueLength)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, type);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)(HeaderLength + valueLength));
        destination.Slice(HeaderLength + valueLength, SctpPacket.Padded(valueLength) - valueLength).Clear();
        return destination.Slice(HeaderLength, valueLength);
    }

    /// <summary>The bytes a parameter with a value of this length takes, padding included.</summary>
    public static int SizeOf(int valueLength) => HeaderLength + SctpPacket.Padded(valueLength);
}

/// <summary>
/// Parameters (or error causes) in order. A length shorter than the header or longer than what remains ends the
/// iteration with <see cref="Malformed"/> set; the last one may omit its padding.
/// </summary>
public ref struct SctpParameterEnumerator
{
    private readonly ReadOnlySpan<byte> _parameters;
    private int _offset;

    public SctpParameterEnumerator(ReadOnlySpan<byte> parameters)
    {
        _parameters = parameters;
        _offset = 0;
        Current = default;
        Malformed = false;
    }

    public SctpParameter Current { get; private set; }
    public bool Malformed { get; private set; }
    public readonly SctpParameterEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        int remaining = _parameters.Length - _offset;
        if (remaining == 0 || Malformed) return false;
        int length = remaining < SctpParameter.HeaderLength ? 0 : BinaryPrimitives.ReadUInt16BigEndian(_parameters[(_offset + 2)..]);
        if (length < SctpParameter.HeaderLength || length > remaining)
        {
            Malformed = true;
            return false;
        }
        Current = new SctpParameter(_parameters.Slice(_offset, length));
        _offset = Math.Min(_parameters.Length, _offset + SctpPacket.Padded(length));
        return true;
    }
}
