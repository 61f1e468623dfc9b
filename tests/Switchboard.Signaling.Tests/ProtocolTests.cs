using System.Text.Json;

namespace Switchboard.Signaling.Tests;

/// <summary>The protocol's happy paths over a real WebSocket: join, presence, relay with a server-set sender, messages, leave.</summary>
public sealed class ProtocolTests
{
    [Fact]
    public async Task Join_announces_participants_to_each_other()
    {
        await using var host = await SignalingHost.StartAsync();
        await using var alice = await host.JoinAsync("room1", "Alice");
        Assert.Equal("room1", alice.Joined.GetProperty("room").GetString());
        Assert.Equal(0, alice.Joined.GetProperty("participants").GetArrayLength());
        Assert.StartsWith("p_", alice.Id);
        Assert.False(alice.Joined.TryGetProperty("seq", out _));
        Assert.True(alice.Joined.GetProperty("grants").GetProperty("publish").GetBoolean());
        Assert.Equal(15000, alice.Joined.GetProperty("pingInterval").GetInt32());
        Assert.Equal(20000, alice.Joined.GetProperty("resumeWindow").GetInt32());

        await using var bob = await host.JoinAsync("room1", "Bob");
        var others = bob.Joined.GetProperty("participants");
        Assert.Equal(alice.Id, others[0].GetProperty("id").GetString());
        Assert.Equal("Alice", others[0].GetProperty("name").GetString());

        var joined = await alice.ExpectAsync("participant-joined");
        Assert.Equal(1, joined.GetProperty("seq").GetInt64());
        Assert.Equal(bob.Id, joined.GetProperty("participant").GetProperty("id").GetString());
        Assert.Equal("Bob", joined.GetProperty("participant").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Offer_answer_and_candidates_reach_only_their_addressee_with_the_server_set_sender()
    {
        await using var host = await SignalingHost.StartAsync();
        await using var alice = await host.JoinAsync("relay");
        await using var bob = await host.JoinAsync("relay");
        await using var carol = await host.JoinAsync("relay");
        await alice.ExpectAsync("participant-joined");
        await alice.ExpectAsync("participant-joined");
        await bob.ExpectAsync("participant-joined");

        const string sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendrecv\r\n";
        await alice.SendAsync(new { type = "offer", to = bob.Id, sdp, from = carol.Id }); // a forged `from` is ignored
        var offer = await bob.ExpectAsync("offer");
        Assert.Equal(alice.Id, offer.GetProperty("from").GetString());
        Assert.Equal(sdp, offer.GetProperty("sdp").GetString());

        await bob.SendAsync(new { type = "answer", to = alice.Id, sdp });
        Assert.Equal(bob.Id, (await alice.ExpectAsync("answer")).GetProperty("from").GetString());

        await alice.SendAsync(new { type = "candidate", to = bob.Id, candidate = new { candidate = "candidate:1 1 udp 1 127.0.0.1 5000 typ host", sdpMid = "0", sdpMLineIndex = 0 } });
        var candidate = await bob.ExpectAsync("candidate");
        Assert.Equal("candidate:1 1 udp 1 127.0.0.1 5000 typ host", candidate.GetProperty("candidate").GetProperty("candidate").GetString());
        await alice.SendAsync(new { type = "candidate", to = bob.Id, candidate = (object?)null });
        Assert.Equal(JsonValueKind.Null, (await bob.ExpectAsync("candidate")).GetProperty("candidate").ValueKind);

        // Carol saw none of it: her next message is the one addressed to her.
        await alice.SendAsync(new { type = "message", to = carol.Id, data = "just you" });
        var message = await carol.ExpectAsync("message");
        Assert.Equal("just you", message.GetProperty("data").GetString());
        Assert.False(message.GetProperty("broadcast").GetBoolean());
    }

    [Fact]
    public async Task Messages_without_to_go_to_everyone_else_and_updates_are_announced()
    {
        await using var host = await SignalingHost.StartAsync();
        await using var alice = await host.JoinAsync("chat");
        await using var bob = await host.JoinAsync("chat");
        await using var carol = await host.JoinAsync("chat");

        await alice.SendAsync(new { type = "message", data = new { text = "hi all" } });
        foreach (var other in new[] { bob, carol })
        {
            var message = await other.ExpectAsync("message");
            Assert.Equal("hi all", message.GetProperty("data").GetProperty("text").GetString());
            Assert.True(message.GetProperty("broadcast").GetBoolean());
            Assert.Equal(alice.Id, message.GetProperty("from").GetString());
        }

        await bob.SendAsync(new { type = "update", name = "Robert", state = new { audio = false } });
        var updated = await carol.ExpectAsync("participant-updated");
        Assert.Equal("Robert", updated.GetProperty("participant").GetProperty("name").GetString());
        Assert.False(updated.GetProperty("participant").GetProperty("state").GetProperty("audio").GetBoolean());
    }

    [Fact]
    public async Task Leave_closes_normally_and_others_see_left()
    {
        await using var host = await SignalingHost.StartAsync();
        await using var alice = await host.JoinAsync("bye");
        await using var bob = await host.JoinAsync("bye");
        await bob.SendAsync(new { type = "leave" });
        await bob.ExpectClosedAsync(1000);
        var left = await alice.ExpectAsync("participant-left");
        Assert.Equal(bob.Id, left.GetProperty("participantId").GetString());
        Assert.Equal("left", left.GetProperty("reason").GetString());
        Assert.Null(await host.Rooms.GetRoomAsync("bye") is { ParticipantCount: 2 } ? "still two" : null);
    }

    [Fact]
    public async Task Ping_gets_pong()
    {
        await using var host = await SignalingHost.StartAsync();
        await using var client = await host.ConnectAsync();
        await client.SendAsync(new { type = "ping" });
        Assert.Equal("pong", (await client.ReceiveAsync())!.Value.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Rooms_disappear_with_their_last_participant_unless_created_by_an_administrator()
    {
        await using var host = await SignalingHost.StartAsync();
        await host.Rooms.CreateRoomAsync(new Rooms.RoomSettings("kept", MaxParticipants: 5));
        await using (var alice = await host.JoinAsync("kept"))
        await using (var bob = await host.JoinAsync("passing"))
        {
            Assert.Equal(2, (await host.Rooms.ListRoomsAsync()).Count);
            await alice.SendAsync(new { type = "leave" });
            await bob.SendAsync(new { type = "leave" });
            await alice.ExpectClosedAsync(1000);
            await bob.ExpectClosedAsync(1000);
        }
        var rooms = await host.Rooms.ListRoomsAsync();
        Assert.Equal("kept", Assert.Single(rooms).Name);
        Assert.Equal(5, rooms[0].MaxParticipants);
    }
}
