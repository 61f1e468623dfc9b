using Switchboard.Server.Operations;

namespace Switchboard.Server.Api;

/// <summary>The admin dashboard's overview (docs/admin.md): the server's numbers, a sample a second, the last hour.</summary>
public static class OverviewEndpoints
{
    /// <param name="Names">The series, in the order of <paramref name="Values"/>.</param>
    /// <param name="Time">Each sample's time, unix seconds.</param>
    /// <param name="Values">Per series, its value at each time (columns, as chart libraries take them).</param>
    public sealed record OverviewResponse(IReadOnlyList<string> Names, long[] Time, double[][] Values);

    public static void MapOverview(this RouteGroupBuilder api)
    {
        api.MapGet("/overview", (OverviewSampler sampler, long? after) =>
            {
                IReadOnlyList<OverviewSample> samples = sampler.Since(after ?? 0);
                return new OverviewResponse(OverviewSampler.Names, [.. samples.Select(s => s.Time)],
                    [.. OverviewSampler.Names.Select((_, i) => samples.Select(s => s.Values[i]).ToArray())]);
            })
            .WithTags("Operations")
            .WithSummary("The server's numbers a second at a time for the last hour (after= for only the newer samples): rooms, participants, bit rates, packets, loss, TURN, CPU, memory");
    }
}
