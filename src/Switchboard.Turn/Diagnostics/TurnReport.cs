namespace Switchboard.Turn.Diagnostics;

/// <summary>
/// The TURN server now, for the admin dashboard: allocations by client transport and by user (the users with the most
/// allocations first, at most <see cref="MaxUsers"/>), what was relayed, and what was refused, by reason.
/// </summary>
public sealed record TurnReport(int Allocations, bool Draining, IReadOnlyDictionary<string, int> AllocationsByTransport, IReadOnlyList<TurnUserReport> Users,
    long PacketsToPeer, long PacketsToClient, long BytesToPeer, long BytesToClient, IReadOnlyDictionary<string, long> DeniedPeers,
    IReadOnlyDictionary<string, long> QuotaRejections, IReadOnlyDictionary<string, long> AuthFailures)
{
    public const int MaxUsers = 100;

    public static TurnReport Of(TurnServer server)
    {
        var allocations = server.Allocations.ToList();
        var users = allocations.GroupBy(a => a.Username, StringComparer.Ordinal)
            .Select(g => new TurnUserReport(g.Key, g.Count(), g.Select(a => Name(a.Client.Transport)).Distinct().Order(StringComparer.Ordinal).ToList(),
                g.Sum(a => a.BytesToPeer), g.Sum(a => a.BytesToClient)))
            .OrderByDescending(u => u.Allocations).ThenBy(u => u.User, StringComparer.Ordinal).Take(MaxUsers).ToList();
        var byTransport = allocations.GroupBy(a => Name(a.Client.Transport)).ToDictionary(g => g.Key, g => g.Count());
        var metrics = server.Metrics;
        var relayed = metrics.Relayed;
        return new TurnReport(allocations.Count, server.IsDraining, byTransport, users, relayed.PacketsToPeer, relayed.PacketsToClient, relayed.BytesToPeer,
            relayed.BytesToClient, metrics.DeniedPeers, metrics.QuotaRejections, metrics.AuthFailures);
    }

    private static string Name(Transports.ClientTransport transport) => transport.ToString().ToLowerInvariant();
}

/// <summary>One TURN user's allocations now: how many, over which client transports, and the bytes they relayed.</summary>
public sealed record TurnUserReport(string User, int Allocations, IReadOnlyList<string> Transports, long BytesToPeer, long BytesToClient);
