using System.Net;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;

namespace Switchboard.Turn.Tests.Support;

/// <summary>A received STUN message kept as bytes, with the look-ups tests need.</summary>
public sealed class TestStunMessage(byte[] bytes)
{
    public byte[] Bytes { get; } = bytes;
    public StunMessageType Type => StunMessageType.FromWire((ushort)((Bytes[0] << 8) | Bytes[1]));
    public StunMethod Method => Type.Method;
    public StunClass Class => Type.Class;
    public byte[] TransactionId => Bytes[8..20];
    public bool IsSuccess => Class == StunClass.SuccessResponse;

    /// <summary>The ERROR-CODE number, or 0 when there is none.</summary>
    public int ErrorCode => TryGet(StunAttributeType.ErrorCode, out var value) && StunErrorCode.TryDecode(value, out int code, out _) ? code : 0;

    public bool TryGet(StunAttributeType type, out byte[] value)
    {
        value = [];
        if (StunMessageReader.TryParse(Bytes, out var reader) != StunParseError.None) return false;
        if (!reader.TryGetAttribute(type, out var span)) return false;
        value = span.ToArray();
        return true;
    }

    public string? GetString(StunAttributeType type) => TryGet(type, out var value) ? System.Text.Encoding.UTF8.GetString(value) : null;

    public uint? GetUInt32(StunAttributeType type) => TryGet(type, out var value) && TurnAttributes.TryReadUInt32(value, out uint result) ? result : null;

    /// <summary>XOR-MAPPED-ADDRESS, XOR-RELAYED-ADDRESS, XOR-PEER-ADDRESS.</summary>
    public IPEndPoint? GetXorAddress(StunAttributeType type) =>
        TryGet(type, out var value) && StunAddress.TryDecode(value, TransactionId, out var endPoint) ? endPoint : null;

    public bool VerifyIntegrity(byte[] key) =>
        StunMessageReader.TryParse(Bytes, out var reader) == StunParseError.None && reader.VerifyMessageIntegrity(key);

    public override string ToString() => ErrorCode == 0 ? Type.ToString() : $"{Type} {ErrorCode}";
}
