using Switchboard.Protocols.Stun;
using Switchboard.Turn.Tests.Server.Support;
using Switchboard.Turn.Tests.Support;
using Xunit.Abstractions;

namespace Switchboard.Turn.Tests.Abuse;

/// <summary>Measures the managed heap, so it runs alone: no other test allocates meanwhile.</summary>
[CollectionDefinition(nameof(HeapMeasurement), DisableParallelization = true)]
public sealed class HeapMeasurement;

/// <summary>
/// What one user's many allocations cost in memory: UDP relays hold no receive buffer while idle, and the buffers
/// used while datagrams are relayed go back to a bounded pool.
/// </summary>
[Collection(nameof(HeapMeasurement))]
public sealed class RelayMemoryTests(ITestOutputHelper log)
{
    private const int Allocations = 400;

    /// <summary>
    /// Managed memory per allocation: sockets and bookkeeping of the server and of the test's own client (about 10 KB
    /// measured); a 64 KB receive buffer per relay, as before, made it 76 KB.
    /// </summary>
    private const long BytesPerAllocation = 16 * 1024;

    [Fact]
    public async Task Many_allocations_hold_no_receive_buffer_each_and_every_relay_still_relays()
    {
        await using var turn = TestTurnServer.Start(o => { o.MinPort = 30000; o.MaxPort = 30000 + Allocations + 9; o.UserQuota = 0; });
        using var peer = new UdpPeer();
        var clients = new List<UdpTurnClient>();
        try
        {
            long before = Heap();
            for (int i = 0; i < Allocations; i++)
            {
                var client = turn.UdpClient();
                clients.Add(client);
                client.Allocate().AssertSuccess(StunMethod.Allocate);
                client.CreatePermission(peer.EndPoint).AssertSuccess(StunMethod.CreatePermission);
            }
            long idle = Heap() - before;

            // Every relay gets a datagram, so every receive loop has handled one.
            foreach (var client in clients) peer.SendTo(client.RelayedAddress!, "ping"u8.ToArray());
            foreach (var client in clients) Assert.Equal("ping"u8.ToArray(), client.ReceiveData());
            long afterTraffic = Heap() - before;

            log.WriteLine($"{Allocations} allocations: {idle / Allocations} B each idle, {afterTraffic / Allocations} B each after one datagram each");
            Assert.True(idle < Allocations * BytesPerAllocation, $"{idle} B for {Allocations} idle allocations");
            Assert.True(afterTraffic < Allocations * BytesPerAllocation, $"{afterTraffic} B for {Allocations} allocations after traffic");

            peer.SendTo(clients[0].RelayedAddress!, "still"u8.ToArray());
            Assert.Equal("still"u8.ToArray(), clients[0].ReceiveData());
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
