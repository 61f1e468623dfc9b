namespace Switchboard.Signaling.Tokens;

/// <summary>A named secret that signs access tokens; the token header's <c>kid</c> names the key.</summary>
public sealed class ApiKey
{
    /// <summary>Shortest secret accepted: HS256 wants a key as long as its output.</summary>
    public const int MinimumSecretLength = 32;

    public string Key { get; set; } = "";
    public string Secret { get; set; } = "";
}
