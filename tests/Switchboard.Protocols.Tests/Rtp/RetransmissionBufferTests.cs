using Switchboard.Protocols.Rtp;

namespace Switchboard.Protocols.Tests.Rtp;

/// <summary>The packets kept to answer NACKs: exact sequence numbers, overwrite on wrap, age limit, thread safety.</summary>
public class RetransmissionBufferTests
{
    private static byte[] Packet(ushort sequence, int length = 100)
    {
        var packet = new byte[length];
        for (int i = 0; i < length; i++) packet[i] = (byte)(sequence + i);
        return packet;
    }

    [Fact]
    public void A_stored_packet_comes_back_whole()
    {
        var buffer = new RetransmissionBuffer();
        Assert.Equal(1024, buffer.Capacity);
        buffer.Store(Packet(7, 1200), 7, 0);
        var destination = new byte[1500];
        Assert.True(buffer.TryGet(7, 10, destination, out int length));
        Assert.Equal(Packet(7, 1200), destination[..length]);
        Assert.False(buffer.TryGet(8, 10, destination, out length));
        Assert.Equal(0, length);
    }

    [Fact]
    public void A_later_packet_in_the_same_slot_replaces_it()
    {
        var buffer = new RetransmissionBuffer(capacity: 16);
        var destination = new byte[1500];
        buffer.Store(Packet(65_530), 65_530, 0);
        buffer.Store(Packet(10), 10, 1); // 65,530 + 16 across the wrap: the same slot
        Assert.False(buffer.TryGet(65_530, 2, destination, out _));
        Assert.True(buffer.TryGet(10, 2, destination, out int length));
        Assert.Equal(Packet(10), destination[..length]);
        Assert.False(buffer.TryGet(26, 2, destination, out _)); // the same slot, never stored
    }

    [Fact]
    public void Packets_older_than_the_maximum_age_are_not_given()
    {
        var buffer = new RetransmissionBuffer(maxAgeMillis: 2000);
        buffer.Store(Packet(1), 1, 1_000);
        var destination = new byte[1500];
        Assert.True(buffer.TryGet(1, 3_000, destination, out _));
        Assert.False(buffer.TryGet(1, 3_001, destination, out _));
    }

    [Fact]
    public void A_destination_too_small_or_a_packet_too_long_fails()
    {
        var buffer = new RetransmissionBuffer(capacity: 8, maxPacketSize: 200);
        buffer.Store(Packet(1, 150), 1, 0);
        Assert.False(buffer.TryGet(1, 0, new byte[149], out int length));
        Assert.Equal(0, length);
        Assert.True(buffer.TryGet(1, 0, new byte[150], out length));
        Assert.Equal(150, length);

        buffer.Store(Packet(2, 201), 2, 0);
        Assert.False(buffer.TryGet(2, 0, new byte[1500], out _));
        buffer.Store(Packet(9, 201), 9, 0); // too long for slot 1: the packet there stays
        Assert.True(buffer.TryGet(1, 0, new byte[1500], out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    [InlineData(-2)]
    public void Capacity_must_be_a_power_of_two(int capacity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetransmissionBuffer(capacity));

    [Fact]
    public void Storing_allocates_nothing()
    {
        var buffer = new RetransmissionBuffer();
        var packet = Packet(0, 1200);
        var destination = new byte[1500];
        // Warmed up first: the runtime may allocate once while it compiles the loop anew (tiering).
        for (int round = 0; round < 2; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10_000; i++)
            {
                buffer.Store(packet, (ushort)i, i);
                buffer.TryGet((ushort)i, i, destination, out _);
            }
            if (round == 1) Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        }
    }

    [Fact]
    public async Task Concurrent_stores_and_reads_never_return_a_torn_packet()
    {
        var buffer = new RetransmissionBuffer(capacity: 64, maxPacketSize: 300);
        int latest = 0, writing = 1;
        var writer = Task.Factory.StartNew(() =>
        {
            for (int i = 0; i < 300_000; i++)
            {
                ushort sequence = (ushort)i;
                buffer.Store(Packet(sequence, 100 + sequence % 200), sequence, 0);
                Volatile.Write(ref latest, i);
            }
            Volatile.Write(ref writing, 0);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var readers = Enumerable.Range(0, 3).Select(reader => Task.Factory.StartNew(() =>
        {
            var destination = new byte[300];
            int found = 0;
            for (int i = 0; i < 10_000 || Volatile.Read(ref writing) == 1; i++)
            {
                ushort sequence = (ushort)(Volatile.Read(ref latest) - (i + reader) % 80); // some already overwritten
                if (!buffer.TryGet(sequence, 0, destination, out int length)) continue;
                Assert.Equal(Packet(sequence, 100 + sequence % 200), destination[..length]);
                found++;
            }
            return found;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        await writer;
        Assert.All(await Task.WhenAll(readers), found => Assert.True(found > 0));
    }
}
