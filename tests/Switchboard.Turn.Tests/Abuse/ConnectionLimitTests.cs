using System.Net;
using System.Net.Sockets;
using Switchboard.Protocols.Stun;
using Switchboard.Turn.Tests.Support;

namespace Switchboard.Turn.Tests.Abuse;

/// <summary>
/// Connections that cost the server without ever relaying, against the real TCP listener with its defaults: many
/// from one source (at most 128 kept), a message trickled byte by byte (10 s to complete one), and a connection that
/// keeps sending Binding requests without allocating (closed 10 s after it was accepted).
/// </summary>
public sealed class ConnectionLimitTests
{
    private const int DefaultPerSource = 128;
    private static readonly IPAddress OtherSource = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task One_source_keeps_at_most_128_connections_and_another_source_still_allocates()
    {
        await using var turn = TestTurnServer.Start(o => { o.MinPort = 31000; o.MaxPort = 31099; });
        var flood = new List<Socket>();
        try
        {
            for (int i = 0; i < DefaultPerSource + 72; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                flood.Add(socket);
                await socket.ConnectAsync(turn.EndPoint);
            }
            // The server closes those beyond the cap at once.
            await Eventually.True(() => CountClosed(flood) == 72, "the 72 connections beyond the cap closed by the server");
            Assert.Equal(DefaultPerSource, turn.TcpListener.ConnectionCount);
            Assert.Equal(72, turn.Counts["switchboard.turn.connections.closed", "per_source_limit"]);

            await using var bystander = await ConnectFromAsync(OtherSource, turn.EndPoint);
            Assert.True((await bystander.AllocateUdpAsync()).IsSuccess);
        }
        finally
        {
            foreach (var socket in flood) socket.Dispose();
        }
    }

    [Fact]
    public async Task A_message_trickled_byte_by_byte_is_cut_off_10_seconds_after_it_started()
    {
        await using var turn = TestTurnServer.Start(o => { o.MinPort = 31100; o.MaxPort = 31199; });
        await using var bystander = await ConnectFromAsync(OtherSource, turn.EndPoint);
        Assert.True((await bystander.AllocateUdpAsync()).IsSuccess);
        // An allocation does not exempt a connection from the message deadline.
        await using var slow = await turn.ConnectClientAsync();
        Assert.True((await slow.AllocateUdpAsync()).IsSuccess);
        var closedByServer = slow.Stream.ReadAsync(new byte[1]).AsTask();

        // A Binding request's 20-byte header announcing 1,000 bytes of attributes, one byte every 500 ms: 30 s at most.
        var message = new byte[20 + 1000];
        message[1] = 0x01;
        message[2] = 0x03;
        message[3] = 0xE8;
        message[4] = 0x21; message[5] = 0x12; message[6] = 0xA4; message[7] = 0x42;
        long started = Environment.TickCount64;
        for (int i = 0; i < 60 && !closedByServer.IsCompleted; i++)
        {
            try { await slow.Stream.WriteAsync(message.AsMemory(i, 1)); }
            catch (IOException) { break; }
            await Task.WhenAny(closedByServer, Task.Delay(500));
        }
        long elapsed = Environment.TickCount64 - started;
        Assert.True(closedByServer.IsCompleted, "the server kept a connection that sent one byte every 500 ms for 30 s");
        Assert.True(elapsed >= 9_000, $"closed after {elapsed} ms, before its 10 s were up");
        Assert.Equal(1, turn.Counts["switchboard.turn.connections.closed", "message_timeout"]);
        await Eventually.True(() => turn.Server.AllocationCount == 1, "the slow client's allocation ended");
        Assert.True((await bystander.RefreshAsync(600)).IsSuccess); // the bystander's connection is still served
    }

    [Fact]
    public async Task A_connection_that_keeps_sending_bindings_without_allocating_is_closed_10_seconds_after_it_was_accepted()
    {
        await using var turn = TestTurnServer.Start(o => { o.MinPort = 31200; o.MaxPort = 31299; });
        await using var idle = await TestTurnClient.ConnectAsync(turn.EndPoint);
        long started = Environment.TickCount64;
        bool closed = false;
        for (int i = 0; i < 30 && !closed; i++) // a Binding every 500 ms: 15 s at most
        {
            try { closed = !(await idle.RequestAsync(StunMethod.Binding)).IsSuccess; }
            catch (IOException) { closed = true; }
            if (!closed) await Task.Delay(500);
        }
        long elapsed = Environment.TickCount64 - started;
        Assert.True(closed, "the server kept a connection without an allocation for 15 s");
        Assert.True(elapsed >= 9_000, $"closed after {elapsed} ms, before its 10 s were up");
        Assert.Equal(1, turn.Counts["switchboard.turn.connections.closed", "no_allocation"]);
    }

    private static int CountClosed(List<Socket> sockets) =>
        sockets.Count(s => s.Poll(0, SelectMode.SelectRead) && s.Available == 0);

    private static async Task<TestTurnClient> ConnectFromAsync(IPAddress source, IPEndPoint server) =>
        await TestTurnClient.ConnectAsync(server, localAddress: source);
}
