using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Turn.Auth;

/// <summary>
/// Stateless nonces (RFC 8489 §9.2): the issue time and a MAC over that time and the client's IP
/// address, under a key made at start. Nothing is stored per client, so nonces cannot fill memory;
/// a nonce older than its lifetime, or not ours, is stale (438).
/// The "obMatJos2" prefix announces the security features of §9.2.1 (password algorithms, user anonymity).
/// </summary>
public sealed class NonceService(int lifetimeSeconds)
{
    /// <summary>§9.2.1 nonce cookie followed by the base64 of the 24-bit feature set (both bits set).</summary>
    public const string Cookie = "obMatJos2";
    private const string Features = "AAAD"; // base64 of 0x000003: password algorithms and username anonymity

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly long _lifetimeMs = lifetimeSeconds * 1000L;

    public string Issue(IPAddress client, long nowMs)
    {
        Span<byte> token = stackalloc byte[20];
        BinaryPrimitives.WriteInt64BigEndian(token, nowMs);
        Mac(client, token[..8], token[8..]);
        return Cookie + Features + Convert.ToBase64String(token);
    }

    /// <summary>True when the nonce is ours, for this client, and still fresh.</summary>
    public bool IsValid(ReadOnlySpan<byte> nonceUtf8, IPAddress client, long nowMs)
    {
        int prefix = Cookie.Length + Features.Length;
        if (nonceUtf8.Length != prefix + 28 || !nonceUtf8[..Cookie.Length].SequenceEqual(Encoding.ASCII.GetBytes(Cookie)))
            return false;
        Span<byte> token = stackalloc byte[21];
        if (!Convert.TryFromBase64String(Encoding.ASCII.GetString(nonceUtf8[prefix..]), token, out int length) || length != 20)
            return false;
        Span<byte> expected = stackalloc byte[12];
        Mac(client, token[..8], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, token.Slice(8, 12))) return false;
        long issued = BinaryPrimitives.ReadInt64BigEndian(token);
        return issued <= nowMs + 1000 && nowMs - issued < _lifetimeMs;
    }

    private void Mac(IPAddress client, ReadOnlySpan<byte> time, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[24];
        time.CopyTo(input);
        client.TryWriteBytes(input[8..], out int written);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, input[..(8 + written)], mac);
        mac[..destination.Length].CopyTo(destination);
    }
}
