using System.Net;
using Switchboard.Turn.Configuration;

namespace Switchboard.Turn.Policy;

public sealed class PeerPolicy(TurnOptions options)
{
    public static IReadOnlyList<string> Validate(TurnOptions options) => [];
    public PeerDecision Evaluate(IPAddress address) => new(options.AllowLoopbackPeers || !IPAddress.IsLoopback(address), "loopback");
}

public readonly record struct PeerDecision(bool IsAllowed, string ReasonName);
