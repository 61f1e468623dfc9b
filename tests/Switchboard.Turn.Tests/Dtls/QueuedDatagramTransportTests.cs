using Switchboard.Dtls;

namespace Switchboard.Turn.Tests.Dtls;

public sealed class QueuedDatagramTransportTests
{
    private static QueuedDatagramTransport Create(int capacity = 64) => new(_ => { }, capacity);

    [Fact]
    public void HandshakeQueueDropsBeyondItsCapacity()
    {
        QueuedDatagramTransport transport = Create();
        for (int i = 0; i < 70; i++)
            Assert.True(transport.TryQueueForHandshake([(byte)i]));

        Assert.Equal(6, transport.Dropped);
        byte[] buffer = new byte[10];
        for (int i = 0; i < 64; i++)
        {
            Assert.Equal(1, transport.Receive(buffer, 0, buffer.Length, 10));
            Assert.Equal(i, buffer[0]);
        }
        Assert.Equal(-1, transport.Receive(buffer, 0, buffer.Length, 10));
    }

    [Fact]
    public async Task HandshakeReceiveWaitsForTheNextDatagram()
    {
        QueuedDatagramTransport transport = Create();
        using var waiting = new ManualResetEventSlim();
        Task<int> receive = Task.Run(() =>
        {
            waiting.Set();
            // Like BouncyCastle: a receive that times out (-1) is simply repeated.
            int received;
            while ((received = transport.Receive(new byte[10], 0, 10, 5000)) < 0) { }
            return received;
        });
        waiting.Wait();
        await Task.Delay(100);
        Assert.False(receive.IsCompleted);

        transport.TryQueueForHandshake([1, 2, 3]);

        Assert.Equal(3, await receive.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task CloseEndsAHandshakeReceiveAndIsReportedOnce()
    {
        QueuedDatagramTransport transport = Create();
        int closed = 0;
        transport.Closed += () => closed++;
        using var waiting = new ManualResetEventSlim();
        Task<int> receive = Task.Run(() =>
        {
            waiting.Set();
            int received;
            while ((received = transport.Receive(new byte[10], 0, 10, 5000)) < 0) { }
            return received;
        });
        waiting.Wait();
        await Task.Delay(100);

        transport.Close();
        transport.Close();

        await Assert.ThrowsAsync<IOException>(() => receive.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, closed);
        Assert.True(transport.TryQueueForHandshake([1])); // swallowed
        Assert.True(transport.IsClosed);
    }

    [Fact]
    public void EstablishedReceiveNeverBlocks()
    {
        QueuedDatagramTransport transport = Create();
        transport.TryQueueForHandshake([1]);
        transport.MarkEstablished();

        Assert.False(transport.TryQueueForHandshake([2]));
        byte[] buffer = new byte[10];
        Assert.Equal(1, transport.GetReceiveLimit());
        Assert.Equal(1, transport.Receive(buffer, 0, buffer.Length, 0)); // the datagram queued during the handshake
        transport.SetCurrent(new byte[] { 7, 8 });
        Assert.Equal(2, transport.GetReceiveLimit());
        Assert.Equal(2, transport.Receive(buffer, 0, buffer.Length, 0));
        Assert.Equal([7, 8], buffer[..2]);

        long start = Environment.TickCount64;
        Assert.Throws<DatagramQueueDrainedException>(() => transport.Receive(buffer, 0, buffer.Length, 0));
        Assert.True(Environment.TickCount64 - start < 100);
        transport.ClearCurrent();
        Assert.Equal(QueuedDatagramTransport.MaxDatagram, transport.GetReceiveLimit());
    }

    /// <summary>
    /// BouncyCastle reads records left over from an earlier datagram into the buffer it sizes by the receive limit:
    /// a smaller datagram after a larger one must not shrink it below the larger.
    /// </summary>
    [Fact]
    public void ReceiveLimitNeverFallsBelowTheLargestDatagramTaken()
    {
        QueuedDatagramTransport transport = Create();
        transport.MarkEstablished();
        byte[] buffer = new byte[QueuedDatagramTransport.MaxDatagram];
        transport.SetCurrent(new byte[400]);
        Assert.Equal(400, transport.Receive(buffer, 0, buffer.Length, 0));
        transport.SetCurrent(new byte[] { 7, 8 });
        Assert.Equal(400, transport.GetReceiveLimit());
        Assert.Equal(2, transport.Receive(buffer, 0, buffer.Length, 0));
    }

    [Fact]
    public void SendLimitGrowsOnceEstablished()
    {
        QueuedDatagramTransport transport = Create();
        Assert.Equal(QueuedDatagramTransport.HandshakeDatagramLimit, transport.GetSendLimit());
        transport.MarkEstablished();
        Assert.Equal(QueuedDatagramTransport.MaxDatagram, transport.GetSendLimit());
    }

    [Fact]
    public void SendGoesToTheListener()
    {
        var sent = new List<byte[]>();
        var transport = new QueuedDatagramTransport(d => sent.Add(d.ToArray()), 4);
        transport.Send([1, 2, 3, 4], 1, 2);
        Assert.Equal([2, 3], Assert.Single(sent));
    }
}
