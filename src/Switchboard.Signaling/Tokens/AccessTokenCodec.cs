using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Switchboard.Signaling.Tokens;

/// <summary>
/// Writes and checks access tokens: JWTs (RFC 7519) in compact JWS form (RFC 7515) signed with HS256
/// (RFC 7518 §3.2) using an API key's secret, the key named by the header's <c>kid</c>.
/// </summary>
public sealed class AccessTokenCodec
{
    /// <summary>Longest token read; a larger one is refused before any decoding.</summary>
    public const int MaxTokenLength = 4096;
    static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    readonly Dictionary<string, byte[]> _secrets = new(StringComparer.Ordinal);

    public AccessTokenCodec(IEnumerable<ApiKey> keys)
    {
        foreach (var key in keys) _secrets[key.Key] = Encoding.UTF8.GetBytes(key.Secret);
    }

    public static string Create(AccessToken token, ApiKey key, DateTimeOffset issuedAt)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "HS256", ["typ"] = "JWT", ["kid"] = key.Key });
        using var payload = new MemoryStream();
        using (var writer = new Utf8JsonWriter(payload))
        {
            writer.WriteStartObject();
            writer.WriteString("sub", token.Identity);
            if (token.Name is not null) writer.WriteString("name", token.Name);
            if (token.Room is not null) writer.WriteString("room", token.Room);
            writer.WriteStartObject("grants");
            writer.WriteBoolean("join", token.Grants.Join);
            writer.WriteBoolean("publish", token.Grants.Publish);
            writer.WriteBoolean("subscribe", token.Grants.Subscribe);
            writer.WriteBoolean("admin", token.Grants.Admin);
            if (token.Grants.Data is { } data) writer.WriteBoolean("data", data);
            writer.WriteEndObject();
            writer.WriteNumber("iat", issuedAt.ToUnixTimeSeconds());
            if (token.NotBefore is { } nbf) writer.WriteNumber("nbf", nbf.ToUnixTimeSeconds());
            writer.WriteNumber("exp", token.Expires.ToUnixTimeSeconds());
            writer.WriteEndObject();
        }
        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(payload.ToArray());
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key.Secret), Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    public TokenValidation Validate(string? jwt, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(jwt) || jwt.Length > MaxTokenLength) return Invalid("the token is empty or longer than 4096 characters");
        var parts = jwt.Split('.');
        if (parts.Length != 3) return Invalid("a JWT has three dot-separated parts");
        if (Decode(parts[0]) is not { } headerBytes || Decode(parts[1]) is not { } payloadBytes || Decode(parts[2]) is not { } signature)
            return Invalid("a part is not base64url");

        string? alg, kid;
        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            if (header.RootElement.ValueKind != JsonValueKind.Object) return Invalid("the header is not a JSON object");
            alg = StringOf(header.RootElement, "alg");
            kid = StringOf(header.RootElement, "kid");
        }
        // JsonDocument checks a string's UTF-8 and escapes only when the string is read: invalid bytes or a lone surrogate
        // (\ud800) throw InvalidOperationException then.
        catch (Exception e) when (e is JsonException or InvalidOperationException) { return Invalid("the header is not JSON"); }
        if (alg != "HS256") return Invalid($"the algorithm must be HS256, not {alg ?? "absent"}");
        if (kid is null || !_secrets.TryGetValue(kid, out var secret)) return Invalid("the token's key (kid) is unknown");

        var signingInput = Encoding.ASCII.GetBytes(jwt, 0, parts[0].Length + 1 + parts[1].Length);
        var expected = HMACSHA256.HashData(secret, signingInput);
        if (!CryptographicOperations.FixedTimeEquals(expected, signature)) return Invalid("the signature does not match");

        try
        {
            using var payload = JsonDocument.Parse(payloadBytes);
            var claims = payload.RootElement;
            if (claims.ValueKind != JsonValueKind.Object) return Invalid("the payload is not a JSON object");
            var sub = StringOf(claims, "sub");
            if (string.IsNullOrEmpty(sub) || sub.Length > AccessToken.MaxIdentityLength) return Invalid("sub (the identity) is missing or longer than 128 characters");
            if (SecondsOf(claims, "exp") is not { } exp) return Invalid("exp is missing");
            var nbf = SecondsOf(claims, "nbf");
            if (now - ClockSkew >= exp) return TokenValidation.Fail(TokenError.Expired, $"the token expired at {exp:u}");
            if (nbf is { } notBefore && now + ClockSkew < notBefore) return TokenValidation.Fail(TokenError.Expired, $"the token is not valid before {notBefore:u}");
            var grants = claims.TryGetProperty("grants", out var g) && g.ValueKind == JsonValueKind.Object
                ? new Grants(IsTrue(g, "join"), IsTrue(g, "publish"), IsTrue(g, "subscribe"), IsTrue(g, "admin"),
                    g.TryGetProperty("data", out var data) ? data.ValueKind == JsonValueKind.True : null)
                : new Grants();
            return TokenValidation.Valid(new AccessToken(sub, StringOf(claims, "name"), StringOf(claims, "room"), grants, exp, nbf));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { return Invalid("the payload is not JSON"); }
    }

    static TokenValidation Invalid(string reason) => TokenValidation.Fail(TokenError.Invalid, reason);

    static byte[]? Decode(string part)
    {
        try { return Base64Url.DecodeFromChars(part); }
        catch (FormatException) { return null; }
    }

    static string? StringOf(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    static bool IsTrue(JsonElement o, string name) => o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    static DateTimeOffset? SecondsOf(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var s)
        && s is > 0 and < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
}
