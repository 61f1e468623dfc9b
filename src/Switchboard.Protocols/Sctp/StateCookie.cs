using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Switchboard.Protocols.Sctp;

/// <summary>
/// The State Cookie this endpoint puts in its INIT-ACK (RFC 9260 §5.1.3): everything the association needs once the
/// COOKIE-ECHO comes back, so that an INIT leaves no state behind. It carries the time it was made (on the caller's
/// clock) and an HMAC-SHA256 over all of it with a secret only this endpoint knows (§5.1.5 checks it, then the age).
/// </summary>
public readonly record struct StateCookie(
    long CreatedAtMillis,
    uint LocalTag,
    uint LocalInitialTsn,
    uint PeerTag,
    uint PeerInitialTsn,
    uint PeerReceiveWindow,
    ushort PeerOutboundStreams,
    ushort PeerInboundStreams,
    bool PeerSupportsForwardTsn,
    bool PeerSupportsReconfig)
{
    private const byte Version = 1;
    private const int SignedLength = 40;

    public const int Length = SignedLength + 32;

    public void Write(Span<byte> destination, ReadOnlySpan<byte> secret)
    {
        destination[0] = Version;
        destination[1] = (byte)((PeerSupportsForwardTsn ? 1 : 0) | (PeerSupportsReconfig ? 2 : 0));
        destination[2] = 0;
        destination[3] = 0;
        BinaryPrimitives.WriteInt64BigEndian(destination[4..], CreatedAtMillis);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], LocalTag);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], LocalInitialTsn);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], PeerTag);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], PeerInitialTsn);
        BinaryPrimitives.WriteUInt32BigEndian(destination[28..], PeerReceiveWindow);
        BinaryPrimitives.WriteUInt16BigEndian(destination[32..], PeerOutboundStreams);
        BinaryPrimitives.WriteUInt16BigEndian(destination[34..], PeerInboundStreams);
        BinaryPrimitives.WriteUInt32BigEndian(destination[36..], 0);
        HMACSHA256.HashData(secret, destination[..SignedLength], destination.Slice(SignedLength, 32));
    }

    /// <summary>False when the cookie is not one of this endpoint's: wrong length, version or MAC.</summary>
    public static bool TryRead(ReadOnlySpan<byte> cookie, ReadOnlySpan<byte> secret, out StateCookie result)
    {
        result = default;
        if (cookie.Length != Length || cookie[0] != Version) return false;
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(secret, cookie[..SignedLength], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, cookie.Slice(SignedLength, 32))) return false;
        result = new StateCookie(
            BinaryPrimitives.ReadInt64BigEndian(cookie[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(cookie[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(cookie[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(cookie[20..]),
            BinaryPrimitives.ReadUInt32BigEndian(cookie[24..]),
            BinaryPrimitives.ReadUInt32BigEndian(cookie[28..]),
            BinaryPrimitives.ReadUInt16BigEndian(cookie[32..]),
            BinaryPrimitives.ReadUInt16BigEndian(cookie[34..]),
            (cookie[1] & 1) != 0,
            (cookie[1] & 2) != 0);
        return true;
    }
}
