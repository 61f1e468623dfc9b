using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Media.Contracts;
using Switchboard.Turn;
using Switchboard.Turn.Diagnostics;

namespace Switchboard.Server.Api;

/// <summary>/api/turn: the TURN server's allocations (by transport and by user), what it relayed, and what it refused.</summary>
public static class TurnEndpoints
{
    public static void MapTurn(this RouteGroupBuilder api)
    {
        api.MapGet("/turn", Results<Ok<TurnReport>, ProblemHttpResult> (IServiceProvider services) =>
                services.GetService<TurnService>()?.Server is { } server
                    ? TypedResults.Ok(TurnReport.Of(server))
                    : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No TURN server", detail: "This server runs no TURN server (its role has none)."))
            .WithTags("TURN")
            .WithSummary("The TURN server now: allocations by client transport and by user, packets and bytes relayed, peers denied, quota rejections, authentication failures");
    }

    /// <summary>Marks the participants whose media comes from a relayed address of this process's TURN server.</summary>
    public static IReadOnlyList<ParticipantMediaStatistics> MarkRelayed(IReadOnlyList<ParticipantMediaStatistics> participants, IServiceProvider services)
    {
        if (services.GetService<TurnService>()?.Server is not { } server || participants.All(p => p.Remote is null)) return participants;
        HashSet<IPEndPoint> relayed = server.RelayedEndPoints();
        return participants.Select(p => p with { Relayed = IPEndPoint.TryParse(p.Remote ?? "", out var remote) && IsRelayed(remote, relayed) }).ToList();
    }

    /// <summary>A relay bound to the wildcard address sends from whichever address routes to the SFU, with its own port.</summary>
    private static bool IsRelayed(IPEndPoint remote, HashSet<IPEndPoint> relayed)
    {
        IPAddress address = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        IPAddress any = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        return relayed.Contains(new IPEndPoint(address, remote.Port)) || relayed.Contains(new IPEndPoint(any, remote.Port));
    }
}
