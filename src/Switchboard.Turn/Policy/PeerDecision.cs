using System.Net;

namespace Switchboard.Turn.Policy;

/// <summary>
/// The outcome of <see cref="PeerPolicy.Evaluate"/>: allowed, or denied with a reason and the address
/// that was refused (the peer itself, or an IPv4 address embedded in it).
/// </summary>
public readonly record struct PeerDecision(PeerDenialReason Reason, IPAddress? DeniedAddress)
{
    public static PeerDecision Allowed => default;

    public bool IsAllowed => Reason == PeerDenialReason.None;
}
