namespace Switchboard.Signaling.Tokens;

/// <summary>The claims of an access token (docs/signaling.md, "Tokens").</summary>
/// <param name="Identity">The <c>sub</c> claim.</param>
/// <param name="Room">The room it admits to; null or "*" means any room.</param>
public sealed record AccessToken(string Identity, string? Name, string? Room, Grants Grants, DateTimeOffset Expires, DateTimeOffset? NotBefore = null)
{
    public const int MaxIdentityLength = 128;

    public bool AdmitsTo(string room) => Room is null or "*" || string.Equals(Room, room, StringComparison.Ordinal);
}
