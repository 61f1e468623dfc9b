using System.Buffers.Binary;
using System.Text;

namespace Switchboard.Protocols.Stun;

/// <summary>ERROR-CODE values and reason phrases of RFC 8489 §14.8, RFC 8656 §19, RFC 6062 §6.3.</summary>
public static class StunErrorCode
{
    public const int TryAlternate = 300;
    public const int BadRequest = 400;
    public const int Unauthenticated = 401;
    public const int Forbidden = 403;
    public const int UnknownAttribute = 420;
    public const int AllocationMismatch = 437;
    public const int StaleNonce = 438;
    public const int AddressFamilyNotSupported = 440;
    public const int WrongCredentials = 441;
    public const int UnsupportedTransportProtocol = 442;
    public const int PeerAddressFamilyMismatch = 443;
    public const int ConnectionAlreadyExists = 446;
    public const int ConnectionTimeoutOrFailure = 447;
    public const int AllocationQuotaReached = 486;
    public const int RoleConflict = 487;
    public const int ServerError = 500;
    public const int InsufficientCapacity = 508;

    public static string ReasonPhrase(int code) => code switch
    {
        TryAlternate => "Try Alternate",
        BadRequest => "Bad Request",
        Unauthenticated => "Unauthenticated",
        Forbidden => "Forbidden",
        UnknownAttribute => "Unknown Attribute",
        AllocationMismatch => "Allocation Mismatch",
        StaleNonce => "Stale Nonce",
        AddressFamilyNotSupported => "Address Family not Supported",
        WrongCredentials => "Wrong Credentials",
        UnsupportedTransportProtocol => "Unsupported Transport Protocol",
        PeerAddressFamilyMismatch => "Peer Address Family Mismatch",
        ConnectionAlreadyExists => "Connection Already Exists",
        ConnectionTimeoutOrFailure => "Connection Timeout or Failure",
        AllocationQuotaReached => "Allocation Quota Reached",
        RoleConflict => "Role Conflict",
        ServerError => "Server Error",
        InsufficientCapacity => "Insufficient Capacity",
        _ => "Error",
    };

    /// <summary>
    /// Writes ERROR-CODE (first byte reserved) or ADDRESS-ERROR-CODE (first byte the family, RFC 8656 §18.12):
    /// class (hundreds) and number, then the reason.
    /// </summary>
    internal static void Encode(ref StunMessageWriter writer, StunAttributeType type, byte first, int code, string reason)
    {
        if (code is < 300 or > 699) throw new ArgumentOutOfRangeException(nameof(code), "STUN error codes are 300-699.");
        var value = writer.Reserve(type, 4 + Encoding.UTF8.GetByteCount(reason));
        value[0] = first;
        value[1] = 0;
        value[2] = (byte)(code / 100);
        value[3] = (byte)(code % 100);
        Encoding.UTF8.GetBytes(reason, value[4..]);
    }

    /// <summary>Reads ERROR-CODE; false when too short or the class/number are out of range.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> value, out int code, out string reason)
    {
        code = 0;
        reason = "";
        if (value.Length < 4 || value[2] is < 3 or > 6 || value[3] > 99) return false;
        code = value[2] * 100 + value[3];
        reason = Encoding.UTF8.GetString(value[4..]);
        return true;
    }

    /// <summary>Reads the attribute types of UNKNOWN-ATTRIBUTES.</summary>
    public static ushort[] DecodeUnknownAttributes(ReadOnlySpan<byte> value)
    {
        var types = new ushort[value.Length / 2];
        for (int i = 0; i < types.Length; i++) types[i] = BinaryPrimitives.ReadUInt16BigEndian(value[(i * 2)..]);
        return types;
    }
}
