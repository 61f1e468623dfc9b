using System.Security.Cryptography;

namespace Switchboard.Protocols.Ice;

/// <summary>
/// An ICE username fragment and password (RFC 8445 §5.3, RFC 8839 §5.4): ice-chars only, the ufrag at least 4
/// characters and the password at least 22, with at least 24 and 128 bits of randomness.
/// </summary>
public sealed record IceCredentials(string Ufrag, string Password)
{
    private const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// <summary>New random credentials: 8 characters of ufrag (48 bits), 24 of password (144 bits).</summary>
    public static IceCredentials Generate() => new(RandomNumberGenerator.GetString(IceChars, 8), RandomNumberGenerator.GetString(IceChars, 24));

    /// <summary>True when both parts have the lengths and characters RFC 8839 §5.4 allows (ufrag 4-256, password 22-256).</summary>
    public bool IsValid => Ufrag.Length is >= 4 and <= 256 && Password.Length is >= 22 and <= 256
        && Ufrag.All(IceChars.Contains) && Password.All(IceChars.Contains);
}
