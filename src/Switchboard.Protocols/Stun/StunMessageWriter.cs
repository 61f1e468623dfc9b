using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net;
using System.Text;

namespace Switchboard.Protocols.Stun;

/// <summary>
/// Builds one STUN message into a caller's buffer, keeping the header's length current after every
/// attribute so that MESSAGE-INTEGRITY and FINGERPRINT can be appended last (RFC 8489 §14.5-14.7).
/// Padding is written as zeros. Running out of buffer is a programming error and throws.
/// </summary>
public ref struct StunMessageWriter
{
    private readonly Span<byte> _buffer;
    private int _length;

    public StunMessageWriter(Span<byte> buffer, StunMessageType type, ReadOnlySpan<byte> transactionId)
    {
        if (buffer.Length < StunConstants.HeaderLength) throw new ArgumentException("Buffer too small for a STUN header.", nameof(buffer));
        if (transactionId.Length != StunConstants.TransactionIdLength) throw new ArgumentException("A transaction ID is 12 bytes.", nameof(transactionId));
        _buffer = buffer;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, type.ToWire());
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], StunConstants.MagicCookie);
        transactionId.CopyTo(buffer[8..]);
        _length = StunConstants.HeaderLength;
    }

    public readonly int Length => _length;
    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];
    public readonly ReadOnlySpan<byte> TransactionId => _buffer.Slice(8, StunConstants.TransactionIdLength);

    /// <summary>Appends an attribute header and returns its value to fill; the padding is zeroed.</summary>
    public Span<byte> Reserve(StunAttributeType type, int valueLength)
    {
        if (valueLength is < 0 or > ushort.MaxValue) throw new ArgumentOutOfRangeException(nameof(valueLength));
        int total = StunConstants.AttributeHeaderLength + StunConstants.Padded(valueLength);
        if (_length + total > _buffer.Length || _length + total - StunConstants.HeaderLength > ushort.MaxValue)
            throw new InvalidOperationException($"STUN message buffer of {_buffer.Length} bytes is too small for {type}.");
        var attribute = _buffer.Slice(_length, total);
        BinaryPrimitives.WriteUInt16BigEndian(attribute, (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(attribute[2..], (ushort)valueLength);
        attribute[(StunConstants.AttributeHeaderLength + valueLength)..].Clear();
        _length += total;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)(_length - StunConstants.HeaderLength));
        return attribute.Slice(StunConstants.AttributeHeaderLength, valueLength);
    }

    public void Add(StunAttributeType type, ReadOnlySpan<byte> value) => value.CopyTo(Reserve(type, value.Length));

    public void AddEmpty(StunAttributeType type) => Reserve(type, 0);

    public void AddUInt32(StunAttributeType type, uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(type, 4), value);

    public void AddUInt64(StunAttributeType type, ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Reserve(type, 8), value);

    /// <summary>UTF-8 text such as USERNAME, REALM, NONCE, SOFTWARE.</summary>
    public void AddString(StunAttributeType type, string value)
    {
        var target = Reserve(type, Encoding.UTF8.GetByteCount(value));
        Encoding.UTF8.GetBytes(value, target);
    }

    /// <summary>XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS (RFC 8489 §14.2).</summary>
    public void AddXorAddress(StunAttributeType type, IPEndPoint endPoint)
    {
        var value = Reserve(type, StunAddress.EncodedLength(endPoint.Address));
        StunAddress.Encode(value, endPoint, xorWith: TransactionId);
    }

    /// <summary>MAPPED-ADDRESS, ALTERNATE-SERVER, RESPONSE-ORIGIN, OTHER-ADDRESS (RFC 8489 §14.1).</summary>
    public void AddAddress(StunAttributeType type, IPEndPoint endPoint)
    {
        var value = Reserve(type, StunAddress.EncodedLength(endPoint.Address));
        StunAddress.Encode(value, endPoint, xorWith: default);
    }

    /// <summary>ERROR-CODE with the standard reason phrase unless one is given (RFC 8489 §14.8).</summary>
    public void AddErrorCode(int code, string? reason = null) =>
        StunErrorCode.Encode(ref this, StunAttributeType.ErrorCode, 0, code, reason ?? StunErrorCode.ReasonPhrase(code));

    /// <summary>ADDRESS-ERROR-CODE for the address family that could not be allocated (RFC 8656 §18.12).</summary>
    public void AddAddressErrorCode(byte family, int code) =>
        StunErrorCode.Encode(ref this, StunAttributeType.AddressErrorCode, family, code, StunErrorCode.ReasonPhrase(code));

    /// <summary>UNKNOWN-ATTRIBUTES listing the types not understood (RFC 8489 §14.9).</summary>
    public void AddUnknownAttributes(ReadOnlySpan<ushort> types)
    {
        var value = Reserve(StunAttributeType.UnknownAttributes, types.Length * 2);
        for (int i = 0; i < types.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(value[(i * 2)..], types[i]);
    }

    /// <summary>Appends MESSAGE-INTEGRITY, HMAC-SHA1 with the key (RFC 8489 §14.5).</summary>
    public void AddMessageIntegrity(ReadOnlySpan<byte> key) => AddIntegrity(StunAttributeType.MessageIntegrity, key, sha256: false);

    /// <summary>Appends MESSAGE-INTEGRITY-SHA256, full 32 bytes (RFC 8489 §14.6).</summary>
    public void AddMessageIntegritySha256(ReadOnlySpan<byte> key) => AddIntegrity(StunAttributeType.MessageIntegritySha256, key, sha256: true);

    /// <summary>Appends FINGERPRINT; it must be the last attribute (RFC 8489 §14.7).</summary>
    public void AddFingerprint()
    {
        int covered = _length;
        var value = Reserve(StunAttributeType.Fingerprint, StunConstants.FingerprintLength);
        BinaryPrimitives.WriteUInt32BigEndian(value, Crc32.HashToUInt32(_buffer[..covered]) ^ StunConstants.FingerprintXor);
    }

    private void AddIntegrity(StunAttributeType type, ReadOnlySpan<byte> key, bool sha256)
    {
        int offset = _length;
        int macLength = sha256 ? StunConstants.MessageIntegritySha256Length : StunConstants.MessageIntegrityLength;
        var value = Reserve(type, macLength);
        StunMessageReader.ComputeIntegrity(_buffer, offset, macLength, key, sha256, value);
    }
}
