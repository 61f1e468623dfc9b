using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Protocols.Stun;
using Switchboard.Turn.Configuration;
using Switchboard.Turn.Diagnostics;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn.Tests.Transports;

/// <summary>
/// Hostile bytes at the real UDP and TCP listeners: truncated, oversized, wrong-length, wrong-cookie and
/// random input. The server answers 400 where a response is due, keeps no state for it, and keeps
/// answering a well-formed Binding request.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "xUnit v2 disposes a test class through IAsyncLifetime.DisposeAsync, which CA1001 does not count")]
public sealed class ListenerBadInputTests : IAsyncLifetime
{
    private readonly TurnMetrics _metrics = new();
    private TurnServer _server = null!;
    private UdpListener _udp = null!;
    private StreamListener _tcp = null!;

    public Task InitializeAsync()
    {
        var options = new TurnOptions
        {
            Users = ["alice:secret"],
            RelayAddress = "127.0.0.1",
            MinPort = 44000,
            MaxPort = 44099,
            UnauthenticatedRequestsPerSecond = 0, // measure the parser, not the rate limit
        };
        _server = new TurnServer(options, NullLogger<TurnServer>.Instance, _metrics);
        _udp = new UdpListener(new IPEndPoint(IPAddress.Loopback, 0), _server, NullLogger.Instance);
        _tcp = new StreamListener(new IPEndPoint(IPAddress.Loopback, 0), _server, null, NullLogger.Instance);
        _udp.Start();
        _tcp.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _udp.DisposeAsync();
        await _tcp.DisposeAsync();
        _server.Dispose();
        _metrics.Dispose();
    }

    private static byte[] BindingRequest(out byte[] transactionId)
    {
        transactionId = Guid.NewGuid().ToByteArray()[..12];
        var buffer = new byte[64];
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Binding, StunClass.Request), transactionId);
        writer.AddString(StunAttributeType.Software, "probe");
        return writer.Written.ToArray();
    }

    private static async Task<byte[]?> ExchangeUdpAsync(UdpClient client, IPEndPoint server, byte[] datagram, int timeoutMs = 2000)
    {
        await client.SendAsync(datagram, server);
        using var timeout = new CancellationTokenSource(timeoutMs);
        try { return (await client.ReceiveAsync(timeout.Token)).Buffer; }
        catch (OperationCanceledException) { return null; }
    }

    private static void AssertBadRequestFor(byte[]? response, byte[] transactionId)
    {
        Assert.NotNull(response);
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(response, out var message));
        Assert.Equal(StunClass.ErrorResponse, message.Class);
        Assert.Equal(transactionId, message.TransactionId.ToArray());
        Assert.True(message.TryGetAttribute(StunAttributeType.ErrorCode, out var value));
        Assert.True(StunErrorCode.TryDecode(value, out int code, out _));
        Assert.Equal(400, code);
    }

    [Theory]
    [InlineData("wrong length")]
    [InlineData("truncated attribute")]
    [InlineData("oversized length field")]
    public async Task MalformedUdpRequest_Gets400WithItsTransactionId(string kind)
    {
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var request = BindingRequest(out var id);
        switch (kind)
        {
            case "wrong length": BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(2), (ushort)(request.Length - 20 + 4)); break;
            case "truncated attribute": BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(22), 200); break;
            case "oversized length field": BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(2), 0xFFFC); break;
        }
        AssertBadRequestFor(await ExchangeUdpAsync(client, _udp.LocalEndPoint, request), id);
    }

    [Fact]
    public async Task WrongMagicCookie_AndRandomDatagrams_GetNoAnswer_AndLeaveNoState()
    {
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var request = BindingRequest(out _);
        request[5] ^= 0xFF;
        Assert.Null(await ExchangeUdpAsync(client, _udp.LocalEndPoint, request, 300));

        long before = Settle();
        var random = new Random(8489);
        var datagram = new byte[1500];
        for (int i = 0; i < 20_000; i++)
        {
            int length = random.Next(datagram.Length);
            random.NextBytes(datagram.AsSpan(0, length));
            if (i % 3 == 0 && length >= 20)
            {
                datagram[0] &= 0x3F; // looks like STUN: cookie and length mostly right
                BinaryPrimitives.WriteUInt32BigEndian(datagram.AsSpan(4), StunConstants.MagicCookie);
            }
            client.Send(datagram, length, _udp.LocalEndPoint);
            if (i % 500 == 0) await Task.Delay(1); // let the loop keep up rather than overflow the socket buffer
        }
        while (client.Available > 0) await client.ReceiveAsync(); // drain any 400s

        var probe = BindingRequest(out var id);
        var answer = await ExchangeUdpAsync(client, _udp.LocalEndPoint, probe);
        while (answer is not null && !answer.AsSpan(8, 12).SequenceEqual(id)) answer = await ExchangeUdpAsync(client, _udp.LocalEndPoint, probe);
        Assert.NotNull(answer);
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(answer, out var message));
        Assert.Equal(StunClass.SuccessResponse, message.Class);
        Assert.Equal(0, _udp.ClientCount);
        Assert.Equal(0, _server.AllocationCount);
        Assert.InRange(Settle() - before, long.MinValue, 8 * 1024 * 1024);
    }

    [Fact]
    public async Task TcpStreamOfGarbage_IsClosed_AndOthersAreStillServed()
    {
        using (var junk = new TcpClient())
        {
            await junk.ConnectAsync(_tcp.LocalEndPoint);
            var stream = junk.GetStream();
            await stream.WriteAsync(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x16, 0x03, 0x01 });
            var buffer = new byte[16];
            using var timeout = new CancellationTokenSource(5000);
            Assert.Equal(0, await stream.ReadAsync(buffer, timeout.Token)); // the server closes it
        }

        using var good = new TcpClient();
        await good.ConnectAsync(_tcp.LocalEndPoint);
        var goodStream = good.GetStream();
        var request = BindingRequest(out var id);
        // Split the message across writes: framing must reassemble it.
        await goodStream.WriteAsync(request.AsMemory(0, 7));
        await Task.Delay(50);
        await goodStream.WriteAsync(request.AsMemory(7));
        var header = new byte[20];
        await goodStream.ReadExactlyAsync(header);
        var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2))];
        await goodStream.ReadExactlyAsync(body);
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse([.. header, .. body], out var message));
        Assert.Equal(StunClass.SuccessResponse, message.Class);
        Assert.Equal(id, message.TransactionId.ToArray());
    }

    [Fact]
    public async Task TcpMessageWithWrongLength_Gets400_OnTheSameConnection()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_tcp.LocalEndPoint);
        var stream = client.GetStream();
        var request = BindingRequest(out var id);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(22), 200); // SOFTWARE longer than the message
        await stream.WriteAsync(request);
        var header = new byte[20];
        await stream.ReadExactlyAsync(header);
        var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2))];
        await stream.ReadExactlyAsync(body);
        AssertBadRequestFor([.. header, .. body], id);
    }

    [Fact]
    public async Task ManyHalfOpenTcpConnections_AreAllReleased()
    {
        var clients = new List<TcpClient>();
        for (int i = 0; i < 50; i++)
        {
            var client = new TcpClient();
            await client.ConnectAsync(_tcp.LocalEndPoint);
            await client.GetStream().WriteAsync(new byte[] { 0x00, 0x01, 0x00 }); // a header cut short
            clients.Add(client);
        }
        await Eventually(() => _tcp.ConnectionCount == 50);
        foreach (var client in clients) client.Dispose();
        await Eventually(() => _tcp.ConnectionCount == 0);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (int i = 0; i < 100 && !condition(); i++) await Task.Delay(50);
        Assert.True(condition());
    }

    private static long Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(true);
    }
}
