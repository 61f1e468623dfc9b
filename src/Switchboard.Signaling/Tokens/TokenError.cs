namespace Switchboard.Signaling.Tokens;

/// <summary>Why a token was not accepted; each maps to a signaling error code and an HTTP 401.</summary>
public enum TokenError
{
    /// <summary>Malformed, unknown key, bad signature or an algorithm other than HS256 (<c>token-invalid</c>).</summary>
    Invalid,

    /// <summary><c>exp</c> has passed or <c>nbf</c> is still ahead (<c>token-expired</c>).</summary>
    Expired,
}

/// <summary>The outcome of reading a token: the claims, or why not (with a sentence for people).</summary>
public readonly record struct TokenValidation(AccessToken? Token, TokenError Error, string Reason)
{
    public bool IsValid => Token is not null;

    public static TokenValidation Valid(AccessToken token) => new(token, default, "");
    public static TokenValidation Fail(TokenError error, string reason) => new(null, error, reason);
}
