namespace Switchboard.Protocols.Ice;

/// <summary>What a connectivity check did to an ICE-lite agent; every outcome but <see cref="Ignored"/> has a response to send.</summary>
public enum IceCheckOutcome
{
    /// <summary>Not a Binding request for these credentials: nothing to send.</summary>
    Ignored,

    /// <summary>Authenticated check answered with a success response; the path is valid.</summary>
    Valid,

    /// <summary>As <see cref="Valid"/>, and the check carried USE-CANDIDATE: the path is now selected (RFC 8445 §7.3.1.5).</summary>
    Nominated,

    /// <summary>
    /// As <see cref="Valid"/>, and the check nominated another path than the selected one: it is selected once it has
    /// answered a check of this side's (<see cref="IceLiteAgent{TPath}.TryWriteVerification"/>).
    /// </summary>
    NominationPending,

    /// <summary>A check without USERNAME, MESSAGE-INTEGRITY or FINGERPRINT, answered with 400 (RFC 8489 §9.1.3).</summary>
    BadRequest,

    /// <summary>A check whose USERNAME or MESSAGE-INTEGRITY is wrong, answered with 401 (RFC 8489 §9.1.3).</summary>
    Unauthorized,

    /// <summary>The peer claims the controlled role too; a lite agent cannot take control, answered with 487 (RFC 8445 §7.3.1.1).</summary>
    RoleConflict,
}
