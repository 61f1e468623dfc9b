namespace Switchboard.Server.Operations;

/// <summary>
/// The overview's series (docs/admin.md): each the value of one instrument of the server's meters, as a count now or as
/// a rate per second (counters, from one sample to the next).
/// </summary>
/// <param name="Name">The series' name in <c>GET /api/overview</c>.</param>
/// <param name="Instrument">The instrument it reads (summed over its tags).</param>
/// <param name="PerSecond">A counter shown as its increase per second (bytes become bits).</param>
internal sealed record OverviewSeries(string Name, string Instrument, bool PerSecond, double Scale = 1)
{
    public static readonly IReadOnlyList<OverviewSeries> All =
    [
        new("rooms", "switchboard.signaling.rooms", false),
        new("participants", "switchboard.signaling.participants", false),
        new("connections", "switchboard.signaling.connections", false),
        new("peers", "switchboard.media.peers.connected", false),
        new("bitrateIn", "switchboard.media.received", true, Scale: 8),
        new("bitrateOut", "switchboard.media.sent", true, Scale: 8),
        new("packetsIn", "switchboard.media.packets.received", true),
        new("packetsOut", "switchboard.media.packets.sent", true),
        new("packetsLost", "switchboard.media.packets.lost", true),
        new("roundTripMs", "switchboard.media.round_trip_time.average", false, Scale: 1000),
        new("turnAllocations", "switchboard.turn.allocations.active", false),
        new("turnBitrate", "switchboard.turn.relayed.bytes", true, Scale: 8),
        new("messagesRelayed", "switchboard.signaling.messages.relayed", true),
    ];
}
