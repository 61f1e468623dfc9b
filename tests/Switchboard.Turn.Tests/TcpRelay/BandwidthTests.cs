using System.Diagnostics;
using Switchboard.Turn.Allocations;
using Switchboard.Turn.Tests.Support;

namespace Switchboard.Turn.Tests.TcpRelay;

/// <summary>Turn:MaxBitsPerSecond on data connections: bytes wait instead of being dropped.</summary>
public sealed class BandwidthTests
{
    [Fact]
    public void Stream_pacing_goes_into_debt_and_says_how_long_to_wait()
    {
        var limiter = new BandwidthLimiter(8_000); // 1000 bytes a second
        Assert.Equal(0, limiter.TakeAndGetDelay(1000, 1_000)); // a full bucket
        Assert.Equal(500, limiter.TakeAndGetDelay(500, 1_000));
        Assert.Equal(0, new BandwidthLimiter(0).TakeAndGetDelay(1 << 20, 1_000));
    }

    [Fact]
    public async Task Data_connection_is_paced_to_the_cap()
    {
        await using var turn = TestTurnServer.Start(o => o.MaxBitsPerSecond = 800_000); // 100 000 bytes a second
        using var peerListener = TcpRelayAssert.StartPeer();
        await using var control = await turn.ConnectClientAsync();
        uint id = await TcpRelayAssert.AllocateAndConnect(control, peerListener.EndPoint());
        using var peer = await peerListener.AcceptTcpClientAsync();
        await using var data = await turn.ConnectClientAsync();
        Assert.True((await data.ConnectionBindAsync(id)).IsSuccess);

        // One second's worth passes at once, the next 60 000 bytes take about 0.6 s.
        var payload = new byte[160_000];
        var stopwatch = Stopwatch.StartNew();
        await data.Stream.WriteAsync(payload);
        await peer.GetStream().ReadExactlyAsync(new byte[payload.Length]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.InRange(stopwatch.ElapsedMilliseconds, 450, 5_000);
    }
}
