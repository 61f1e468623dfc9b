using System.Globalization;
using System.Security.Cryptography;

namespace Switchboard.Dtls;

/// <summary>
/// A certificate fingerprint as SDP carries it (RFC 8122 §5: hash function name, then upper-case hex bytes separated
/// by colons), and the check of a peer's certificate against it.
/// </summary>
public sealed record CertificateFingerprint(string HashFunction, string Value)
{
    /// <summary>The fingerprint of a DER certificate with the given hash (sha-1, sha-256, sha-384, sha-512).</summary>
    public static CertificateFingerprint Of(ReadOnlySpan<byte> derCertificate, string hashFunction = "sha-256")
    {
        byte[] digest = hashFunction.ToLowerInvariant() switch
        {
            "sha-1" => SHA1.HashData(derCertificate),
            "sha-256" => SHA256.HashData(derCertificate),
            "sha-384" => SHA384.HashData(derCertificate),
            "sha-512" => SHA512.HashData(derCertificate),
            _ => throw new ArgumentException($"unsupported fingerprint hash function '{hashFunction}'", nameof(hashFunction)),
        };
        return new CertificateFingerprint(hashFunction.ToLowerInvariant(), Convert.ToHexString(digest).Chunk(2)
            .Select(pair => new string(pair)).Aggregate((a, b) => a + ":" + b));
    }

    /// <summary>True when the hash function is one this side can compute.</summary>
    public static bool IsSupported(string hashFunction) =>
        hashFunction.ToLowerInvariant() is "sha-1" or "sha-256" or "sha-384" or "sha-512";

    /// <summary>True when <paramref name="derCertificate"/> hashes to this fingerprint (hex compared case-insensitively).</summary>
    public bool Matches(ReadOnlySpan<byte> derCertificate) =>
        IsSupported(HashFunction) && string.Equals(Of(derCertificate, HashFunction).Value, Value, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{HashFunction} {Value}");
}
