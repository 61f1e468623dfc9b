using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Switchboard.Protocols.Stun;

/// <summary>The 96-bit transaction ID (RFC 8489 §5), a value type so that it can be copied without allocating.</summary>
[InlineArray(StunConstants.TransactionIdLength)]
public struct StunTransactionId : IEquatable<StunTransactionId>
{
    private byte _first;

    public static StunTransactionId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != StunConstants.TransactionIdLength)
            throw new ArgumentException("A transaction ID is 12 bytes.", nameof(bytes));
        var id = new StunTransactionId();
        bytes.CopyTo(id);
        return id;
    }

    /// <summary>A new random ID, as RFC 8489 §5 asks ("uniformly and randomly chosen").</summary>
    public static StunTransactionId NewRandom()
    {
        var id = new StunTransactionId();
        RandomNumberGenerator.Fill(id);
        return id;
    }

    public readonly bool Equals(StunTransactionId other) =>
        ((ReadOnlySpan<byte>)this).SequenceEqual(other);

    public override readonly bool Equals(object? obj) => obj is StunTransactionId other && Equals(other);

    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(this);
        return hash.ToHashCode();
    }

    public override readonly string ToString() => Convert.ToHexStringLower(this);
}
