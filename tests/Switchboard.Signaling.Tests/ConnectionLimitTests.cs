using System.Net;
using System.Text;
using Switchboard.Signaling.Connections;

namespace Switchboard.Signaling.Tests;

/// <summary>
/// Connections that hold the server without taking part: too many from one address, never joining, trickling a message
/// that never ends, or a large frame before joining. Each is refused or closed while a bystander keeps talking.
/// </summary>
public sealed class ConnectionLimitTests
{
    private static readonly IPAddress Elsewhere = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task Connections_beyond_the_per_address_cap_are_too_many_connections_and_other_addresses_still_join()
    {
        await using var host = await SignalingHost.StartAsync(("MaxConnectionsPerAddress", "3"));
        var first = new List<TestClient>();
        for (int i = 0; i < 3; i++) first.Add(await host.JoinAsync("capped"));
        try
        {
            await using var fourth = await host.ConnectAsync();
            var error = await fourth.ExpectErrorAsync("too-many-connections", fatal: true);
            Assert.Contains("Signaling:MaxConnectionsPerAddress", error.GetProperty("message").GetString());
            await fourth.ExpectClosedAsync(1013);

            // Another address is not held back, and the three keep talking with it.
            await using var bystander = await TestClient.ConnectAsync(host.Endpoint, Elsewhere);
            await bystander.SendAsync(new { type = "join", room = "capped" });
            bystander.Joined = await bystander.ExpectAsync("joined");
            await bystander.SendAsync(new { type = "message", to = first[0].Id, data = "hello" });
            Assert.Equal("hello", (await first[0].ExpectAsync("message")).GetProperty("data").GetString());

            // A connection that ends gives its place back (once the server has finished closing it).
            await first[2].SendAsync(new { type = "leave" });
            await first[2].ExpectClosedAsync(1000);
            for (int attempt = 0; ; attempt++)
            {
                await using var again = await host.ConnectAsync();
                await again.SendAsync(new { type = "join", room = "capped" });
                var answer = await again.ReceiveAsync();
                if (answer?.GetProperty("type").GetString() == "joined") break;
                Assert.True(attempt < 50, $"the place was not given back: {answer}");
                await Task.Delay(100);
            }
        }
        finally
        {
            foreach (var client in first) await client.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    public void The_cap_counts_an_IPv4_address_or_an_IPv6_64_as_one_source(string address, string source) =>
        Assert.Equal(source, ConnectionSource.Of(IPAddress.Parse(address)));

    [Fact]
    public async Task A_connection_that_does_not_join_in_time_is_closed_with_join_timeout_however_much_it_pings()
    {
        await using var host = await SignalingHost.StartAsync(("JoinTimeoutSeconds", "1"), ("PingIntervalSeconds", "60"));
        await using var bystander = await host.JoinAsync("deadline");
        await using var idler = await host.ConnectAsync();
        var pinging = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await idler.SendAsync(new { type = "ping" });
                    await Task.Delay(100);
                }
            }
            catch (Exception) { } // the server closed it
        });
        var error = await idler.ExpectErrorAsync("join-timeout", fatal: true);
        Assert.Contains("Signaling:JoinTimeoutSeconds", error.GetProperty("message").GetString());
        await idler.ExpectClosedAsync(1008);
        await pinging;

        // A participant who joined in time is not affected by the deadline.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await bystander.SendAsync(new { type = "ping" });
        await bystander.ExpectAsync("pong");
    }

    [Fact]
    public async Task A_message_trickled_byte_by_byte_and_never_ended_does_not_keep_the_connection_open()
    {
        await using var host = await SignalingHost.StartAsync(("PingIntervalSeconds", "1"), ("ResumeWindowSeconds", "1"));
        await using var bystander = await host.JoinAsync("trickle");
        await using var trickler = await host.JoinAsync("trickle");
        await bystander.ExpectAsync("participant-joined");

        // The bystander reads (and so answers pings) throughout.
        var left = bystander.ExpectAsync("participant-left");

        // A frame without FIN, then one byte of the same message every 200 ms: bytes keep coming, the message never ends.
        var ended = trickler.WaitEndedAsync(TimeSpan.FromSeconds(15));
        await trickler.SendFragmentAsync(Encoding.UTF8.GetBytes("{\"type\":\"message\",\"data\":\""));
        while (!ended.IsCompleted)
        {
            try
            {
                await trickler.SendFragmentAsync("x"u8.ToArray());
            }
            catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or IOException or ObjectDisposedException)
            {
                break;
            }
            await Task.Delay(200);
        }
        await ended;

        // The server treated it as silent: after the resume window the bystander sees it leave, and still talks.
        var gone = await left;
        Assert.Equal(("timeout", trickler.Id), (gone.GetProperty("reason").GetString(), gone.GetProperty("participantId").GetString()));
        await bystander.SendAsync(new { type = "ping" });
        await bystander.ExpectAsync("pong");
    }

    [Fact]
    public async Task Before_joining_a_frame_over_8_KiB_is_message_too_large_and_after_joining_it_is_relayed()
    {
        await using var host = await SignalingHost.StartAsync();
        var padding = new string('x', 9000);
        await using var stranger = await host.ConnectAsync();
        await stranger.SendAsync(new { type = "ping", padding });
        var error = await stranger.ExpectErrorAsync("message-too-large", fatal: true);
        Assert.Contains("8192", error.GetProperty("message").GetString());
        await stranger.ExpectClosedAsync(1009);

        await using var alice = await host.JoinAsync("large");
        await using var bob = await host.JoinAsync("large");
        await alice.SendAsync(new { type = "message", to = bob.Id, data = padding });
        Assert.Equal(padding, (await bob.ExpectAsync("message")).GetProperty("data").GetString());
    }
}
