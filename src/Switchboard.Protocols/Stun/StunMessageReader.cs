using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace Switchboard.Protocols.Stun;

/// <summary>
/// A validated view over one STUN message (RFC 8489 §5, §14). Parsing checks every length before use
/// and accepts any bytes as attribute padding. Nothing is copied or allocated.
/// </summary>
public readonly ref struct StunMessageReader
{
    private readonly ReadOnlySpan<byte> _message;
    private readonly int _visibleEnd;
    private readonly int _integrityOffset;
    private readonly int _integritySha256Offset;
    private readonly int _fingerprintOffset;

    private StunMessageReader(ReadOnlySpan<byte> message, int visibleEnd, int integrity, int integritySha256, int fingerprint)
    {
        _message = message;
        _visibleEnd = visibleEnd;
        _integrityOffset = integrity;
        _integritySha256Offset = integritySha256;
        _fingerprintOffset = fingerprint;
    }

    public ReadOnlySpan<byte> Message => _message;
    public StunMessageType Type => StunMessageType.FromWire(BinaryPrimitives.ReadUInt16BigEndian(_message));
    public StunMethod Method => Type.Method;
    public StunClass Class => Type.Class;
    public ReadOnlySpan<byte> TransactionId => _message.Slice(8, StunConstants.TransactionIdLength);

    public bool HasMessageIntegrity => _integrityOffset >= 0;
    public bool HasMessageIntegritySha256 => _integritySha256Offset >= 0;
    public bool HasFingerprint => _fingerprintOffset >= 0;

    /// <summary>True when the bytes start like a STUN message: two zero bits, the magic cookie (RFC 7983 §7).</summary>
    public static bool LooksLikeStun(ReadOnlySpan<byte> data) =>
        data.Length >= StunConstants.HeaderLength && (data[0] & 0xC0) == 0 &&
        BinaryPrimitives.ReadUInt32BigEndian(data[4..]) == StunConstants.MagicCookie;

    /// <summary>The whole message length a header announces, for framing on stream transports (RFC 8489 §6.2.2).</summary>
    public static int AnnouncedLength(ReadOnlySpan<byte> header) =>
        StunConstants.HeaderLength + BinaryPrimitives.ReadUInt16BigEndian(header[2..]);

    public static StunParseError TryParse(ReadOnlySpan<byte> data, out StunMessageReader message)
    {
        message = default;
        if (data.Length < StunConstants.HeaderLength) return StunParseError.TooShort;
        if ((data[0] & 0xC0) != 0) return StunParseError.NotStun;
        if (BinaryPrimitives.ReadUInt32BigEndian(data[4..]) != StunConstants.MagicCookie) return StunParseError.BadMagicCookie;
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        if ((length & 3) != 0) return StunParseError.LengthNotMultipleOf4;
        if (StunConstants.HeaderLength + length != data.Length) return StunParseError.LengthMismatch;

        int visibleEnd = -1, integrity = -1, integritySha256 = -1, fingerprint = -1;
        int offset = StunConstants.HeaderLength;
        while (offset < data.Length)
        {
            if (fingerprint >= 0) return StunParseError.AttributeAfterFingerprint;
            if (data.Length - offset < StunConstants.AttributeHeaderLength) return StunParseError.TruncatedAttribute;
            var type = (StunAttributeType)BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            int next = offset + StunConstants.AttributeHeaderLength + StunConstants.Padded(valueLength);
            if (next > data.Length) return StunParseError.TruncatedAttribute;

            switch (type)
            {
                case StunAttributeType.MessageIntegrity when integrity < 0 && integritySha256 < 0:
                    if (valueLength != StunConstants.MessageIntegrityLength) return StunParseError.BadMessageIntegrityLength;
                    integrity = offset;
                    if (visibleEnd < 0) visibleEnd = offset;
                    break;
                case StunAttributeType.MessageIntegritySha256 when integritySha256 < 0:
                    // §14.6: 16 to 32 bytes, a multiple of 4.
                    if (valueLength is < 16 or > StunConstants.MessageIntegritySha256Length || (valueLength & 3) != 0)
                        return StunParseError.BadMessageIntegrityLength;
                    integritySha256 = offset;
                    if (visibleEnd < 0) visibleEnd = offset;
                    break;
                case StunAttributeType.Fingerprint:
                    if (valueLength != StunConstants.FingerprintLength) return StunParseError.BadFingerprintLength;
                    fingerprint = offset;
                    if (visibleEnd < 0) visibleEnd = offset;
                    break;
            }
            offset = next;
        }
        message = new StunMessageReader(data, visibleEnd < 0 ? data.Length : visibleEnd, integrity, integritySha256, fingerprint);
        return StunParseError.None;
    }

    /// <summary>
    /// The attributes a receiver acts on: those before MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and
    /// FINGERPRINT (§14.5: the rest that follow MESSAGE-INTEGRITY are ignored).
    /// </summary>
    public StunAttributeEnumerator Attributes => new(_message[.._visibleEnd]);

    /// <summary>The value of the first attribute of a type, integrity and fingerprint attributes included.</summary>
    public bool TryGetAttribute(StunAttributeType type, out ReadOnlySpan<byte> value)
    {
        int offset = type switch
        {
            StunAttributeType.MessageIntegrity => _integrityOffset,
            StunAttributeType.MessageIntegritySha256 => _integritySha256Offset,
            StunAttributeType.Fingerprint => _fingerprintOffset,
            _ => -1,
        };
        if (offset >= 0)
        {
            value = ValueAt(offset);
            return true;
        }
        foreach (var attribute in Attributes)
        {
            if (attribute.Type == type)
            {
                value = attribute.Value;
                return true;
            }
        }
        value = default;
        return false;
    }

    public bool HasAttribute(StunAttributeType type) => TryGetAttribute(type, out _);

    /// <summary>Checks MESSAGE-INTEGRITY (HMAC-SHA1, §14.5) with the given key, in constant time.</summary>
    public bool VerifyMessageIntegrity(ReadOnlySpan<byte> key)
    {
        if (_integrityOffset < 0) return false;
        Span<byte> mac = stackalloc byte[StunConstants.MessageIntegrityLength];
        ComputeIntegrity(_message, _integrityOffset, StunConstants.MessageIntegrityLength, key, sha256: false, mac);
        return CryptographicOperations.FixedTimeEquals(mac, ValueAt(_integrityOffset));
    }

    /// <summary>Checks MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256, possibly truncated, §14.6) in constant time.</summary>
    public bool VerifyMessageIntegritySha256(ReadOnlySpan<byte> key)
    {
        if (_integritySha256Offset < 0) return false;
        Span<byte> mac = stackalloc byte[StunConstants.MessageIntegritySha256Length];
        var received = ValueAt(_integritySha256Offset);
        ComputeIntegrity(_message, _integritySha256Offset, received.Length, key, sha256: true, mac);
        return CryptographicOperations.FixedTimeEquals(mac[..received.Length], received);
    }

    /// <summary>Checks FINGERPRINT (CRC-32 XOR 0x5354554E over the message before it, §14.7).</summary>
    public bool VerifyFingerprint()
    {
        if (_fingerprintOffset < 0) return false;
        uint expected = Crc32.HashToUInt32(_message[.._fingerprintOffset]) ^ StunConstants.FingerprintXor;
        return BinaryPrimitives.ReadUInt32BigEndian(ValueAt(_fingerprintOffset)) == expected;
    }

    private ReadOnlySpan<byte> ValueAt(int attributeOffset)
    {
        int length = BinaryPrimitives.ReadUInt16BigEndian(_message[(attributeOffset + 2)..]);
        return _message.Slice(attributeOffset + StunConstants.AttributeHeaderLength, length);
    }

    /// <summary>
    /// HMAC over the message up to the integrity attribute at <paramref name="attributeOffset"/>, with the
    /// header's length set as if that attribute ended the message (RFC 8489 §14.5, §14.6).
    /// </summary>
    internal static void ComputeIntegrity(ReadOnlySpan<byte> message, int attributeOffset, int macLength, ReadOnlySpan<byte> key, bool sha256, Span<byte> mac)
    {
        byte[]? rented = null;
        Span<byte> covered = attributeOffset <= 1024
            ? stackalloc byte[attributeOffset]
            : (rented = ArrayPool<byte>.Shared.Rent(attributeOffset)).AsSpan(0, attributeOffset);
        try
        {
            message[..attributeOffset].CopyTo(covered);
            int lengthThroughAttribute = attributeOffset + StunConstants.AttributeHeaderLength + macLength - StunConstants.HeaderLength;
            BinaryPrimitives.WriteUInt16BigEndian(covered[2..], (ushort)lengthThroughAttribute);
            if (sha256) HMACSHA256.HashData(key, covered, mac);
            else HMACSHA1.HashData(key, covered, mac);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }
}

/// <summary>One attribute: its type and its value without padding.</summary>
public readonly ref struct StunAttribute(StunAttributeType type, ReadOnlySpan<byte> value)
{
    public StunAttributeType Type { get; } = type;
    public ReadOnlySpan<byte> Value { get; } = value;
}

/// <summary>Walks attributes of an already validated message.</summary>
public ref struct StunAttributeEnumerator(ReadOnlySpan<byte> message)
{
    private readonly ReadOnlySpan<byte> _message = message;
    private int _next = StunConstants.HeaderLength;
    private StunAttribute _current;

    public readonly StunAttribute Current => _current;
    public readonly StunAttributeEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_next + StunConstants.AttributeHeaderLength > _message.Length) return false;
        var type = (StunAttributeType)BinaryPrimitives.ReadUInt16BigEndian(_message[_next..]);
        int length = BinaryPrimitives.ReadUInt16BigEndian(_message[(_next + 2)..]);
        _current = new StunAttribute(type, _message.Slice(_next + StunConstants.AttributeHeaderLength, length));
        _next += StunConstants.AttributeHeaderLength + StunConstants.Padded(length);
        return true;
    }
}
