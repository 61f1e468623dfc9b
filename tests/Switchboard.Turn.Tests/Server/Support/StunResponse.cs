using System.Buffers.Binary;
using System.Net;
using System.Text;
using Switchboard.Protocols.Stun;

namespace Switchboard.Turn.Tests.Server.Support;

/// <summary>A decoded message the server sent: type, transaction ID and attributes, with helpers for assertions.</summary>
internal sealed class StunResponse
{
    private StunResponse(byte[] raw, StunMessageType type, byte[] transactionId, List<(StunAttributeType, byte[])> attributes)
    {
        Raw = raw;
        Type = type;
        TransactionId = transactionId;
        Attributes = attributes;
    }

    public byte[] Raw { get; }
    public StunMessageType Type { get; }
    public StunClass Class => Type.Class;
    public StunMethod Method => Type.Method;
    public byte[] TransactionId { get; }

    /// <summary>Every attribute in order, the integrity and FINGERPRINT attributes included.</summary>
    public IReadOnlyList<(StunAttributeType Type, byte[] Value)> Attributes { get; }

    public static bool IsStun(byte[] message) => StunMessageReader.TryParse(message, out _) == StunParseError.None;

    public static StunResponse Parse(byte[] message)
    {
        var error = StunMessageReader.TryParse(message, out var reader);
        Assert.True(error == StunParseError.None, $"The server sent a malformed STUN message: {error}");
        var attributes = new List<(StunAttributeType, byte[])>();
        int offset = StunConstants.HeaderLength;
        while (offset < message.Length)
        {
            var type = (StunAttributeType)BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(offset));
            int length = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(offset + 2));
            attributes.Add((type, message.AsSpan(offset + 4, length).ToArray()));
            offset += 4 + StunConstants.Padded(length);
        }
        return new StunResponse(message, reader.Type, reader.TransactionId.ToArray(), attributes);
    }

    public bool Has(StunAttributeType type) => Attributes.Any(a => a.Type == type);

    public byte[] Get(StunAttributeType type)
    {
        foreach (var (t, value) in Attributes) if (t == type) return value;
        throw new Xunit.Sdk.XunitException($"{Type} has no {type}; it has {string.Join(", ", Attributes.Select(a => a.Type))}");
    }

    public IEnumerable<byte[]> GetAll(StunAttributeType type) => Attributes.Where(a => a.Type == type).Select(a => a.Value);

    public string GetString(StunAttributeType type) => Encoding.UTF8.GetString(Get(type));

    public uint GetUInt32(StunAttributeType type) => BinaryPrimitives.ReadUInt32BigEndian(Get(type));

    public ulong GetUInt64(StunAttributeType type) => BinaryPrimitives.ReadUInt64BigEndian(Get(type));

    public IPEndPoint GetXorAddress(StunAttributeType type) => DecodeXor(Get(type));

    public List<IPEndPoint> GetXorAddresses(StunAttributeType type) => GetAll(type).Select(DecodeXor).ToList();

    private IPEndPoint DecodeXor(byte[] value)
    {
        Assert.True(StunAddress.TryDecode(value, TransactionId, out var endPoint), "malformed address attribute");
        return endPoint;
    }

    public int ErrorCode => StunErrorCode.TryDecode(Get(StunAttributeType.ErrorCode), out int code, out _) ? code : throw new Xunit.Sdk.XunitException("bad ERROR-CODE");

    public string Reason => StunErrorCode.TryDecode(Get(StunAttributeType.ErrorCode), out _, out string reason) ? reason : "";

    public bool VerifyIntegrity(byte[] key)
    {
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(Raw, out var reader));
        return reader.VerifyMessageIntegrity(key);
    }

    public bool VerifyIntegritySha256(byte[] key)
    {
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(Raw, out var reader));
        return reader.VerifyMessageIntegritySha256(key);
    }

    public bool VerifyFingerprint()
    {
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(Raw, out var reader));
        return reader.VerifyFingerprint();
    }

    /// <summary>Asserts a success response of the method.</summary>
    public StunResponse AssertSuccess(StunMethod method)
    {
        Assert.True(Class == StunClass.SuccessResponse,
            $"expected {method} success, got {Type}" + (Has(StunAttributeType.ErrorCode) ? $" {ErrorCode} {Reason}" : ""));
        Assert.Equal(method, Method);
        return this;
    }

    /// <summary>Asserts an error response with the code, and (when given) the reason phrase.</summary>
    public StunResponse AssertError(StunMethod method, int code, string? reason = null)
    {
        Assert.True(Class == StunClass.ErrorResponse, $"expected {method} error {code}, got {Type}");
        Assert.Equal(method, Method);
        Assert.Equal(code, ErrorCode);
        if (reason is not null) Assert.Equal(reason, Reason);
        return this;
    }

    public override string ToString() => $"{Type} [{string.Join(", ", Attributes.Select(a => a.Type))}]";
}
