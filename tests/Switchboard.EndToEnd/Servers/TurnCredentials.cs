namespace Switchboard.EndToEnd.Servers;

/// <summary>The credentials every server under test is started with.</summary>
public static class TurnCredentials
{
    public const string Realm = "switchboard";

    /// <summary>Long-term credential user (RFC 8489 §9.2), configured as "alice:secret".</summary>
    public const string UserName = "alice";

    public const string Password = "secret";

    /// <summary>TURN REST API shared secret (the time-limited credentials of draft-uberti-behave-turn-rest).</summary>
    public const string AuthSecret = "e2e-rest-secret";
}
