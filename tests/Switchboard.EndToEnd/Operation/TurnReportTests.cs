using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.EndToEnd.Infrastructure;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Operation;

/// <summary>
/// The TURN part of the admin view (GET /api/turn) with coturn's turnutils_uclient as the clients: allocations by user
/// and client transport while they relay, the bytes relayed after, an allocation over the user's quota and a peer the
/// policy denies, each counted by reason.
/// </summary>
public sealed class TurnReportTests(ITestOutputHelper log)
{
    [Fact]
    public async Task The_TURN_report_shows_allocations_by_user_and_transport_bytes_relayed_and_refusals_by_reason()
    {
        await using var server = await SwitchboardProcess.StartAsync(role: "all");
        using var api = new HttpClient { BaseAddress = server.HttpBase };
        api.DefaultRequestHeaders.Authorization = new("Bearer", await server.TokenCreateAsync("--identity", "ops", "--admin"));
        string port = server.Port.ToString(CultureInfo.InvariantCulture);
        string[] credentials = ["-u", TurnCredentials.UserName, "-w", TurnCredentials.Password];

        // One uclient (-m 1 -y: four sessions of one user, in pairs) relaying 150 messages of 120 bytes each over TCP to the
        // server: seen while it runs, by user and transport.
        var relaying = TurnUtils.RunUclientAsync([.. credentials, "-t", "-y", "-m", "1", "-n", "150", "-l", "120", "-p", port, server.Host]);
        JsonElement? during = null;
        while (!relaying.IsCompleted && during is null)
        {
            JsonElement report = await api.GetFromJsonAsync<JsonElement>("api/turn");
            if (report.GetProperty("users").EnumerateArray().FirstOrDefault(u => u.GetProperty("user").GetString() == TurnCredentials.UserName) is { ValueKind: JsonValueKind.Object } user)
                during = user;
            else await Task.Delay(50);
        }
        var relayed = await relaying;
        log.WriteLine(relayed.Describe());
        Assert.True(relayed.ExitCode == 0 && relayed.SentMessages >= 150 && relayed.ReceivedMessages == relayed.SentMessages, relayed.Describe());
        Assert.True(during is not null, "the user's allocations never showed while it relayed");
        Assert.Equal(["tcp"], during.Value.GetProperty("transports").EnumerateArray().Select(t => t.GetString()));
        Assert.True(during.Value.GetProperty("allocations").GetInt32() >= 1, during.ToString());

        JsonElement after = await api.GetFromJsonAsync<JsonElement>("api/turn");
        Assert.True(after.GetProperty("bytesToPeer").GetInt64() >= relayed.SentMessages * 120, after.ToString());
        Assert.True(after.GetProperty("bytesToClient").GetInt64() >= relayed.ReceivedMessages * 120, after.ToString());
        Assert.Equal(0, after.GetProperty("allocations").GetInt32());

        // A peer the default policy denies (the unspecified address): the permission is refused, and counted by reason.
        var denied = await TurnUtils.RunUclientAsync([.. credentials, "-e", "0.0.0.0", "-n", "5", "-p", port, server.Host]);
        log.WriteLine(denied.Describe());

        // Ten uclient clients of one user (40 sessions) against its quota (Turn:UserQuota, 12 allocations): the rest are refused, and counted
        // (last: the allocations it made stay until they expire).
        var overQuota = await TurnUtils.RunUclientAsync([.. credentials, "-y", "-m", "10", "-n", "5", "-p", port, server.Host]);
        log.WriteLine(overQuota.Describe());
        JsonElement refusals = await api.GetFromJsonAsync<JsonElement>("api/turn");
        log.WriteLine(refusals.ToString());
        Assert.True(refusals.GetProperty("quotaRejections").EnumerateObject().Sum(q => q.Value.GetInt64()) > 0, refusals.ToString());
        Assert.True(refusals.GetProperty("deniedPeers").EnumerateObject().Sum(q => q.Value.GetInt64()) > 0, refusals.ToString());
    }
}
