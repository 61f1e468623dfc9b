using System.Text.Json;
using Switchboard.EndToEnd.Infrastructure;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Operation;

/// <summary>
/// <c>switchboard rooms ...</c>, <c>participants ...</c>, <c>stats</c> and <c>load-test</c> against a running server: the tables and
/// messages a person reads, the JSON a script reads, and the exit codes (1 for the server's refusal or no server, 2 for
/// a usage error). Without --token the command signs its own admin token with the data directory's API key.
/// </summary>
public sealed class AdminCliTests
{
    [Fact]
    public async Task Rooms_and_participants_are_listed_created_removed_and_deleted_from_the_command_line()
    {
        await using var server = await SwitchboardProcess.StartAsync(["--Signaling:AllowAnonymous=true"], role: "all");
        string[] at = ["--url", server.HttpBase.ToString(), $"--Server:DataDirectory={server.DataDirectory}"];

        var created = await RunAsync(["rooms", "create", "cli-room", "--max-participants", "5", "--media", "sfu", "--record", .. at]);
        Assert.Equal((0, "Created room cli-room (sfu, at most 5 participants, recorded)."), created);
        await using var ann = await SignalingSocket.JoinAsync(server.HttpBase, "cli-room");

        var (code, rooms) = await RunAsync(["rooms", "list", .. at]);
        Assert.Equal(0, code);
        string[] lines = rooms.Split('\n');
        Assert.Matches(@"^NAME\s+MEDIA\s+PARTICIPANTS\s+MAX\s+RECORD\s+CREATED$", lines[0]);
        Assert.Matches(@"^cli-room\s+sfu\s+1\s+5\s+yes\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", Assert.Single(lines[1..]));

        var (_, json) = await RunAsync(["participants", "list", "cli-room", "--json", .. at]);
        JsonElement participant = Assert.Single(JsonDocument.Parse(json).RootElement.EnumerateArray());
        string id = participant.GetProperty("id").GetString()!;
        Assert.StartsWith("guest-", participant.GetProperty("identity").GetString());
        var (_, table) = await RunAsync(["participants", "list", "cli-room", .. at]);
        Assert.Matches($@"^{id}\s+guest-\S+\s+guest-\S+\s+yes\s+\d{{4}}-", table.Split('\n')[1]);

        // The newest sample (one a second) may be older than Ann's join: ask again until it counts her.
        var (statsCode, stats) = await RunAsync(["stats", "--once", .. at]);
        for (int tries = 1; statsCode == 0 && !stats.Contains("participants 1", StringComparison.Ordinal) && tries < 10; tries++)
            (statsCode, stats) = await RunAsync(["stats", "--once", .. at]);
        Assert.Equal(0, statsCode);
        Assert.Matches(@"^\d\d:\d\d:\d\d  rooms 1  participants 1  connections 1  peers 0  in \d+ bit/s  out \d+ bit/s  lost 0/s  rtt 0 ms  turn 0 \(0 bit/s\)  cpu \d+\.\d%  memory \d+ MiB$", stats);

        Assert.Equal((0, $"Removed {id} from room cli-room."), await RunAsync(["participants", "remove", "cli-room", id, .. at]));
        Assert.Equal("removed", (await ann.ExpectAsync("error")).GetProperty("code").GetString());
        Assert.Equal((0, "Deleted room cli-room."), await RunAsync(["rooms", "delete", "cli-room", .. at]));

        // The server's refusal, a usage error, a wrong token and no server at all, each said plainly.
        var missing = await RunAsync(["rooms", "delete", "cli-room", .. at]);
        Assert.Equal(1, missing.Code);
        Assert.StartsWith("404 ", missing.Output);
        Assert.Contains("cli-room", missing.Output);
        var usage = await RunAsync(["rooms", "rename", "x", .. at]);
        Assert.Equal(2, usage.Code);
        Assert.Contains("Unknown command 'rooms rename'", usage.Output);
        var forged = await RunAsync(["rooms", "list", "--token", "not-a-token", .. at]);
        Assert.Equal(1, forged.Code);
        Assert.StartsWith("401 ", forged.Output);
        var nobody = await RunAsync(["rooms", "list", "--url", $"http://127.0.0.1:{FreePorts.TcpAndUdp()}", $"--Server:DataDirectory={server.DataDirectory}"]);
        Assert.Equal(1, nobody.Code);
        Assert.StartsWith("Cannot reach http://127.0.0.1:", nobody.Output);
    }

    [Fact]
    public async Task Load_tests_run_the_load_tools_and_tell_what_the_server_went_through()
    {
        // The signaling load is a closed loop, as fast as the server relays: a test server lifts the per-connection rate limit.
        await using var server = await SwitchboardProcess.StartAsync(
            ["--Signaling:AllowAnonymous=true", "--Signaling:MessagesPerSecond=100000", "--Signaling:MessageBurst=100000"], role: "all");
        string[] at = ["--url", server.HttpBase.ToString(), $"--Server:DataDirectory={server.DataDirectory}"];

        // The signaling load tool: 8 clients in rooms of 4 relay messages for 3 s; its result, then the server's side.
        var (code, output) = await RunAsync(["load-test", "signaling", "--clients", "8", "--duration", "3", .. at]);
        Assert.True(code == 0, output);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(output, @"""connected"":8,.*""messagesPerSecond"":[1-9]"), output);
        Assert.Matches(@"server over \d+ s: cpu \d+\.\d% on average \(peak \d+\.\d%\), memory peak \d+ MiB, peaks: connections 8,", output);

        // The media load tool: one synthetic WebRTC publisher and two subscribers in an SFU room for 2 s.
        (code, output) = await RunAsync(["load-test", "sfu", "--publishers", "1", "--subscribers", "2", "--duration", "2", .. at]);
        Assert.True(code == 0, output);
        Assert.Matches(@"sfu 1/1 publishers x 2/2 subscribers: publishers sent \d+/s, forwarded [1-9]", output);
        Assert.Matches(@"peaks: connections \d+, participants \d+, peers 3,", output); // participants: the signaling load's may still wait to resume

        // coturn's uclient through the server's TURN: 2 client pairs for 2 s.
        (code, output) = await RunAsync(["load-test", "turn", "--turn-user", TurnCredentials.UserName, "--turn-password", TurnCredentials.Password,
            "--turn-port", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--clients", "2", "--duration", "2", .. at]);
        Assert.True(code == 0, output);
        Assert.Contains("Total lost packets 0 (0.000000%)", output);
        Assert.Matches(@"turn allocations [1-9]", output);

        var usage = await RunAsync(["load-test", "turn", .. at]);
        Assert.Equal(2, usage.Code);
        Assert.Contains("load-test turn needs --turn-user and --turn-password, or --turn-secret", usage.Output);
        var unknown = await RunAsync(["load-test", "mqtt"]);
        Assert.Equal(2, unknown.Code);
        Assert.Contains("load-test needs what to load: signaling, sfu or turn.", unknown.Output);
    }

    /// <summary>The command's exit code and what it printed (stdout and stderr).</summary>
    private static async Task<(int Code, string Output)> RunAsync(string[] arguments)
    {
        await using var cli = ChildProcess.Start("dotnet", [RepoLayout.ServerDll, .. arguments]);
        Assert.True(await cli.WaitForExitAsync(TimeSpan.FromSeconds(60)), $"switchboard {string.Join(' ', arguments)} did not finish");
        return (cli.ExitCode, cli.Output.Trim());
    }
}
