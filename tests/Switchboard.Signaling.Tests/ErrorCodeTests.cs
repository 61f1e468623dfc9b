using System.Net.WebSockets;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Signaling.Tests;

/// <summary>Every error code of docs/signaling.md, "Errors", provoked over a real WebSocket, with its close code where fatal.</summary>
public sealed class ErrorCodeTests
{
    [Theory]
    [InlineData("nope", "invalid-json")]
    [InlineData("[1,2]", "invalid-json")]
    [InlineData("{\"type\":\"join\",\"room\":", "invalid-json")]
    [InlineData("{\"room\":\"x\"}", "invalid-message")]
    [InlineData("{\"type\":42}", "invalid-message")]
    [InlineData("{\"type\":\"fly\"}", "unknown-type")]
    [InlineData("{\"type\":\"join\"}", "invalid-message")]
    [InlineData("{\"type\":\"join\",\"room\":7}", "invalid-message")]
    [InlineData("{\"type\":\"join\",\"room\":\"has space\"}", "invalid-message")]
    [InlineData("{\"type\":\"join\",\"room\":\"x\",\"state\":[1]}", "invalid-message")]
    [InlineData("{\"type\":\"resume\",\"resumeToken\":\"t\",\"lastSeq\":-1}", "invalid-message")]
    [InlineData("{\"type\":\"resume\",\"resumeToken\":\"t\",\"lastSeq\":1e400}", "invalid-message")]
    public async Task Malformed_messages_get_an_error_and_the_connection_stays_up(string frame, string code)
    {
        await using var host = await SignalingHost.StartAsync();
        await using var client = await host.ConnectAsync();
        await client.SendTextAsync(frame);
        var error = await client.ExpectErrorAsync(code);
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        await client.SendAsync(new { type = "join", room = "still-here" });
        await client.ExpectAsync("joined");
    }

    [Fact]
    public async Task Invalid_message_names_the_field_and_echoes_the_request_id()
    {
        await using var host = await SignalingHost.StartAsync();
        await using var client = await host.ConnectAsync();
        await client.SendTextAsync("{\"type\":\"join\",\"id\":\"r1\",\"room\":\"ok\",\"name\":false}");
        var error = await client.ExpectErrorAsync("invalid-message");
        Assert.Contains("name", error.GetProperty("message").GetString());
        Assert.Equal("r1", error.GetProperty("requestId").GetString());

        await client.SendTextAsync("{\"type\":\"join\",\"id\":\"r2\"}");
        error = await client.ExpectErrorAsync("invalid-message");
        Assert.Contains("room", error.GetProperty("message").GetString());
        Assert.Equal("r2", error.GetProperty("requestId").GetString());

        await client.SendTextAsync("{\"type\":\"join\",\"room\":\"ok\",\"state\":{\"big\":\"" + new string('x', 1100) + "\"}}");
        Assert.Contains("state", (await client.ExpectErrorAsync("invalid-message")).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Binary_frames_and_deep_nesting_are_invalid_json()
    {
        await using var host = await SignalingHost.StartAsync();
        await using var client = await host.ConnectAsync();
        await client.SendBytesAsync([1, 2, 3], WebSocketMessageType.Binary);
        await client.ExpectErrorAsync("invalid-json");
        await client.SendTextAsync("{\"a\":" + new string('[', 100) + new string(']', 100) + "}");
        await client.ExpectErrorAsync("invalid-json");
    }

    [Fact]
    public async Task A_text_frame_that_is_not_utf8_fails_the_websocket_with_1007()
    {
        // RFC 6455 §8.1: the WebSocket layer itself fails such a connection (Invalid frame payload data). The runtime
        // aborts the connection right after writing its close frame, and now and then the reset overtakes the frame on
        // loopback: the close is looked for in up to three connections.
        await using var host = await SignalingHost.StartAsync();
        var resets = new List<string>();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            await using var client = await host.ConnectAsync();
            await client.SendBytesAsync([(byte)'{', 0xC3, 0x28, (byte)'}']);
            try
            {
                await client.ExpectClosedAsync(1007);
                break;
            }
            catch (WebSocketException e) when (e.InnerException is IOException)
            {
                resets.Add(e.Message);
            }
        }
        Assert.True(resets.Count < 3, string.Join("; ", resets));
        await using var other = await host.JoinAsync("fine");
    }

    [Fact]
    public async Task A_frame_over_the_limit_is_message_too_large_and_closes_with_1009()
    {
        await using var host = await SignalingHost.StartAsync(("MaxMessageBytes", "8192"));
        await using var client = await host.JoinAsync("big");
        await client.SendAsync(new { type = "message", data = new string('x', 9000) });
        await client.ExpectErrorAsync("message-too-large", fatal: true);
        await client.ExpectClosedAsync(1009);

        await using var other = await host.JoinAsync("big"); // the server still serves everyone else
    }

    [Fact]
    public async Task Messages_over_the_rate_are_dropped_and_a_flood_closes_with_1008()
    {
        await using var host = await SignalingHost.StartAsync(("MessagesPerSecond", "1"), ("MessageBurst", "3"));
        await using var client = await host.ConnectAsync();
        for (int i = 0; i < 4; i++) await client.SendAsync(new { type = "ping" });
        for (int i = 0; i < 3; i++) await client.ExpectAsync("pong");
        await client.ExpectErrorAsync("rate-limited");

        for (int i = 0; i < 40; i++) await client.SendAsync(new { type = "ping" });
        while ((await client.ExpectAsync("error")) is var error && !error.GetProperty("fatal").GetBoolean())
            Assert.Equal("rate-limited", error.GetProperty("code").GetString());
        await client.ExpectClosedAsync(1008);
    }

    [Fact]
    public async Task Order_errors_not_joined_already_joined_and_participant_not_found()
    {
        await using var host = await SignalingHost.StartAsync();
        await using var client = await host.ConnectAsync();
        await client.SendAsync(new { type = "offer", to = "p_x", sdp = "v=0" });
        await client.ExpectErrorAsync("not-joined");
        await client.SendAsync(new { type = "join", room = "a" });
        await client.ExpectAsync("joined");
        await client.SendAsync(new { type = "join", room = "b" });
        await client.ExpectErrorAsync("already-joined");
        await client.SendAsync(new { type = "resume", resumeToken = "abc", lastSeq = 0 });
        await client.ExpectErrorAsync("already-joined");
        await client.SendAsync(new { type = "candidate", to = "p_nobody", candidate = (object?)null });
        await client.ExpectErrorAsync("participant-not-found");

        // A participant of another room is not reachable either.
        await using var elsewhere = await host.JoinAsync("other");
        await client.SendAsync(new { type = "message", to = elsewhere.Id, data = 1 });
        await client.ExpectErrorAsync("participant-not-found");
    }

    [Fact]
    public async Task Room_limits_room_not_found_room_full_and_too_many_rooms()
    {
        await using var host = await SignalingHost.StartAsync(("MaxParticipantsPerRoom", "1"), ("MaxRooms", "1"));
        await using var first = await host.JoinAsync("only");
        await using var second = await host.ConnectAsync();
        await second.SendAsync(new { type = "join", room = "only" });
        await second.ExpectErrorAsync("room-full");
        await second.SendAsync(new { type = "join", room = "another" });
        await second.ExpectErrorAsync("too-many-rooms");

        await using var closed = await SignalingHost.StartAsync(("AutoCreateRooms", "false"));
        await using var client = await closed.ConnectAsync();
        await client.SendAsync(new { type = "join", room = "unknown" });
        await client.ExpectErrorAsync("room-not-found");
    }

    [Fact]
    public async Task Beyond_max_connections_is_too_many_connections_with_1013()
    {
        await using var host = await SignalingHost.StartAsync(("MaxConnections", "1"));
        await using var first = await host.JoinAsync("x");
        await using var second = await host.ConnectAsync();
        await second.ExpectErrorAsync("too-many-connections", fatal: true);
        await second.ExpectClosedAsync(1013);
    }

    [Fact]
    public async Task Publishing_and_subscribing_without_the_grant_is_permission_denied()
    {
        await using var host = await SignalingHost.StartAsync(("AllowAnonymous", "false"));
        await using var viewer = await host.JoinAsync("grants", token: SignalingHost.Token("viewer", "grants", new Grants(Join: true, Subscribe: true)));
        await using var speaker = await host.JoinAsync("grants", token: SignalingHost.Token("speaker", "grants", new Grants(Join: true, Publish: true)));
        Assert.False(viewer.Joined.GetProperty("grants").GetProperty("publish").GetBoolean());

        const string sendrecv = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendrecv\r\n";
        await viewer.SendAsync(new { type = "offer", to = speaker.Id, sdp = sendrecv });
        await viewer.ExpectErrorAsync("permission-denied");
        await viewer.SendAsync(new { type = "offer", to = speaker.Id, sdp = sendrecv.Replace("sendrecv", "recvonly") });
        Assert.Equal(viewer.Id, (await speaker.ExpectAsync("offer")).GetProperty("from").GetString());

        await speaker.SendAsync(new { type = "answer", to = viewer.Id, sdp = sendrecv });
        await speaker.ExpectErrorAsync("permission-denied");
        await speaker.SendAsync(new { type = "answer", to = viewer.Id, sdp = sendrecv.Replace("sendrecv", "sendonly") });
        await viewer.ExpectAsync("answer");
    }

    [Fact]
    public async Task A_room_whose_publishers_are_listed_lets_only_them_publish()
    {
        await using var host = await SignalingHost.StartAsync(("AllowAnonymous", "false"));
        await host.Rooms.CreateRoomAsync(new Rooms.RoomSettings("stage", Publishers: ["host"]));
        await using var presenter = await host.JoinAsync("stage", token: SignalingHost.Token("host", "stage", Grants.Participant));
        await using var audience = await host.JoinAsync("stage", token: SignalingHost.Token("guest", "stage", Grants.Participant));
        Assert.True(presenter.Joined.GetProperty("grants").GetProperty("publish").GetBoolean());
        Assert.False(audience.Joined.GetProperty("grants").GetProperty("publish").GetBoolean());
    }

    [Fact]
    public async Task An_unknown_resume_token_is_resume_failed()
    {
        await using var host = await SignalingHost.StartAsync();
        await using var client = await host.ConnectAsync();
        await client.SendAsync(new { type = "resume", resumeToken = "not-a-token", lastSeq = 0 });
        await client.ExpectErrorAsync("resume-failed");
    }

    [Fact]
    public async Task The_same_identity_joining_again_replaces_the_first_connection()
    {
        await using var host = await SignalingHost.StartAsync(("AllowAnonymous", "false"));
        var token = SignalingHost.Token("alice", "r", Grants.Participant);
        await using var observer = await host.JoinAsync("r", token: SignalingHost.Token("bob", "r", Grants.Participant));
        await using var first = await host.JoinAsync("r", token: token);
        await observer.ExpectAsync("participant-joined");
        await using var second = await host.JoinAsync("r", token: token);

        await first.ExpectErrorAsync("replaced", fatal: true);
        await first.ExpectClosedAsync(4001);
        var left = await observer.ExpectAsync("participant-left");
        Assert.Equal(first.Id, left.GetProperty("participantId").GetString());
        Assert.Equal("replaced", left.GetProperty("reason").GetString());
        Assert.Equal(second.Id, (await observer.ExpectAsync("participant-joined")).GetProperty("participant").GetProperty("id").GetString());
        Assert.Equal(1, second.Joined.GetProperty("participants").GetArrayLength());
    }

    [Fact]
    public async Task Removal_and_room_deletion_by_an_administrator_close_with_4002_and_4003()
    {
        await using var host = await SignalingHost.StartAsync();
        await using var alice = await host.JoinAsync("admin");
        await using var bob = await host.JoinAsync("admin");
        Assert.True(await host.Rooms.RemoveParticipantAsync("admin", bob.Id));
        await bob.ExpectErrorAsync("removed", fatal: true);
        await bob.ExpectClosedAsync(4002);
        var left = await alice.ExpectAsync("participant-left");
        Assert.Equal("removed", left.GetProperty("reason").GetString());
        Assert.False(await host.Rooms.RemoveParticipantAsync("admin", bob.Id));

        Assert.True(await host.Rooms.DeleteRoomAsync("admin"));
        await alice.ExpectErrorAsync("room-deleted", fatal: true);
        await alice.ExpectClosedAsync(4003);
        Assert.Null(await host.Rooms.GetRoomAsync("admin"));
        Assert.False(await host.Rooms.DeleteRoomAsync("admin"));
    }

    [Fact]
    public async Task Stopping_the_server_is_server_shutting_down_with_1001()
    {
        var host = await SignalingHost.StartAsync();
        await using var client = await host.JoinAsync("stop");
        var stopping = host.DisposeAsync();
        await client.ExpectErrorAsync("server-shutting-down", fatal: true);
        await client.ExpectClosedAsync(1001);
        await stopping;
    }

    [Fact]
    public async Task Garbage_from_one_client_never_disturbs_another()
    {
        await using var host = await SignalingHost.StartAsync(("MessagesPerSecond", "100000"), ("MessageBurst", "100000"));
        await using var alice = await host.JoinAsync("calm");
        await using var bob = await host.JoinAsync("calm");
        await using var vandal = await host.JoinAsync("calm");
        var random = new Random(11);
        string[] shapes = ["{\"type\":\"offer\",\"to\":", "{\"type\":\"join\",\"room\":[", "{\"type\":\"message\",\"data\":" + new string('[', 40), "\"\\u", "{\"type\":\"update\",\"state\":{\"a\":1e999}}", "{\"type\":\"candidate\",\"to\":\"x\",\"candidate\":5}"];
        for (int i = 0; i < 300; i++)
        {
            if (i % 3 == 0)
            {
                var bytes = new byte[random.Next(1, 300)];
                random.NextBytes(bytes);
                await vandal.SendBytesAsync(bytes, WebSocketMessageType.Binary);
            }
            else
            {
                var junk = new string(Enumerable.Range(0, random.Next(1, 200)).Select(_ => (char)random.Next(32, 0x2FF)).ToArray());
                await vandal.SendTextAsync(i % 2 == 0 ? shapes[i % shapes.Length] + junk : junk);
            }
        }
        await alice.SendAsync(new { type = "message", to = bob.Id, data = "still fine" });
        Assert.Equal("still fine", (await bob.ExpectAsync("message")).GetProperty("data").GetString());
        await vandal.SendAsync(new { type = "ping" });
        await vandal.ExpectAsync("pong");
    }
}
