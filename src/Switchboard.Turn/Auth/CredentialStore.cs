using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Protocols.Stun;

namespace Switchboard.Turn.Auth;

/// <summary>
/// Finds the long-term key for a USERNAME (RFC 8489 §9.2.2): static users from Turn:Users, and
/// time-limited TURN REST API users ("expiry:name", password base64(HMAC-SHA1(secret, username)))
/// under any of Turn:StaticAuthSecrets, so that a secret can be rotated while the old one still works.
/// </summary>
public sealed class CredentialStore
{
    private readonly string _realm;
    private readonly Dictionary<string, string> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _usersByHash = new(StringComparer.Ordinal);
    private readonly byte[][] _secrets;

    public CredentialStore(string realm, IEnumerable<string> users, IEnumerable<string> secrets)
    {
        _realm = realm;
        foreach (var entry in users)
        {
            int colon = entry.IndexOf(':');
            var name = entry[..colon];
            _users[name] = entry[(colon + 1)..];
            _usersByHash[Convert.ToHexString(StunCredentials.UserHash(name, realm))] = name;
        }
        _secrets = secrets.Select(s => Encoding.UTF8.GetBytes(s)).ToArray();
    }

    public string Realm => _realm;

    /// <summary>
    /// The candidate keys for a username: one for a static user, one per secret for a REST username.
    /// Empty when the user is unknown or the REST expiry has passed.
    /// </summary>
    public IEnumerable<byte[]> KeysFor(string username, StunPasswordAlgorithm algorithm, long nowMs)
    {
        if (_users.TryGetValue(username, out var password))
        {
            yield return StunCredentials.LongTermKey(username, _realm, password, algorithm);
            yield break;
        }
        if (_secrets.Length == 0 || !IsUnexpiredRestUsername(username, nowMs)) yield break;
        foreach (var secret in _secrets)
        {
            var restPassword = Convert.ToBase64String(HMACSHA1.HashData(secret, Encoding.UTF8.GetBytes(username)));
            yield return StunCredentials.LongTermKey(username, _realm, restPassword, algorithm);
        }
    }

    /// <summary>The static username behind a USERHASH (§14.4); REST usernames cannot be looked up by hash.</summary>
    public string? UsernameForHash(ReadOnlySpan<byte> userHash) =>
        _usersByHash.GetValueOrDefault(Convert.ToHexString(userHash));

    /// <summary>The part of a REST username that names the user ("expiry:name" or just "expiry").</summary>
    public static string QuotaName(string username)
    {
        int colon = username.IndexOf(':');
        return colon > 0 && long.TryParse(username.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? username[(colon + 1)..]
            : username;
    }

    /// <summary>The TURN REST username starts with a UNIX timestamp that must be in the future.</summary>
    private static bool IsUnexpiredRestUsername(string username, long nowMs)
    {
        int colon = username.IndexOf(':');
        var expiry = colon < 0 ? username.AsSpan() : username.AsSpan(0, colon);
        return long.TryParse(expiry, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds) && seconds * 1000 > nowMs;
    }
}
