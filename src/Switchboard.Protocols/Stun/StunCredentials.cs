using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Protocols.Stun;

/// <summary>Password algorithms of the long-term credential mechanism (RFC 8489 §18.5).</summary>
public enum StunPasswordAlgorithm : ushort
{
    Md5 = 0x0001,
    Sha256 = 0x0002,
}

/// <summary>Keys and hashes of the long-term credential mechanism (RFC 8489 §9.2).</summary>
public static class StunCredentials
{
    /// <summary>
    /// The key for MESSAGE-INTEGRITY: MD5(username ":" realm ":" password), or SHA-256 of the same for
    /// the SHA-256 password algorithm (§9.2.2). Strings are taken as already prepared (OpaqueString).
    /// </summary>
    public static byte[] LongTermKey(string username, string realm, string password, StunPasswordAlgorithm algorithm = StunPasswordAlgorithm.Md5)
    {
        var input = Encoding.UTF8.GetBytes($"{username}:{realm}:{password}");
        return algorithm == StunPasswordAlgorithm.Sha256 ? SHA256.HashData(input) : MD5.HashData(input);
    }

    /// <summary>USERHASH: SHA-256(username ":" realm) (§14.4).</summary>
    public static byte[] UserHash(string username, string realm) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"{username}:{realm}"));

    /// <summary>PASSWORD-ALGORITHMS value: each algorithm with an empty parameter list (§14.11).</summary>
    public static byte[] EncodePasswordAlgorithms(ReadOnlySpan<StunPasswordAlgorithm> algorithms)
    {
        var value = new byte[algorithms.Length * 4];
        for (int i = 0; i < algorithms.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(i * 4), (ushort)algorithms[i]);
        return value;
    }

    /// <summary>Reads PASSWORD-ALGORITHMS; false when a parameter length runs past the value.</summary>
    public static bool TryDecodePasswordAlgorithms(ReadOnlySpan<byte> value, out List<StunPasswordAlgorithm> algorithms)
    {
        algorithms = [];
        while (value.Length > 0)
        {
            if (value.Length < 4) return false;
            var algorithm = (StunPasswordAlgorithm)BinaryPrimitives.ReadUInt16BigEndian(value);
            int parameterLength = StunConstants.Padded(BinaryPrimitives.ReadUInt16BigEndian(value[2..]));
            if (value.Length < 4 + parameterLength) return false;
            algorithms.Add(algorithm);
            value = value[(4 + parameterLength)..];
        }
        return true;
    }

    /// <summary>Reads PASSWORD-ALGORITHM: one algorithm and its parameters (§14.12).</summary>
    public static bool TryDecodePasswordAlgorithm(ReadOnlySpan<byte> value, out StunPasswordAlgorithm algorithm)
    {
        algorithm = default;
        if (value.Length < 4) return false;
        int parameterLength = BinaryPrimitives.ReadUInt16BigEndian(value[2..]);
        if (value.Length < 4 + parameterLength) return false;
        algorithm = (StunPasswordAlgorithm)BinaryPrimitives.ReadUInt16BigEndian(value);
        return true;
    }
}
