using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Org.BouncyCastle.Tls;
using Switchboard.Turn.Allocations;
using Switchboard.Turn.Certificates;
using Switchboard.Turn.Tests.Certificates;
using Switchboard.Turn.Transports;
using Switchboard.Turn.Transports.Dtls;
using Xunit.Abstractions;

namespace Switchboard.Turn.Tests.Dtls;

public sealed class DtlsListenerTests(CertificateFixture fixture, ITestOutputHelper output)
    : IClassFixture<CertificateFixture>, IAsyncLifetime
{
    private readonly List<DtlsListener> _listeners = [];
    private readonly List<IDisposable> _disposables = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IDisposable disposable in _disposables)
            disposable.Dispose();
        foreach (DtlsListener listener in _listeners)
            await listener.DisposeAsync();
    }

    private (DtlsListener Listener, EchoHandler Handler) Start(DtlsListenerSettings? settings = null,
        ServerCertificate? certificate = null)
    {
        var handler = new EchoHandler();
        var listener = new DtlsListener(new IPEndPoint(IPAddress.Loopback, 0), certificate ?? fixture.Certificate, handler,
            new TestOutputLogger(output), settings);
        _listeners.Add(listener);
        listener.Start();
        return (listener, handler);
    }

    private async Task<DtlsTestClient> ConnectAsync(DtlsListener listener, DtlsTestClient.Options? options = null)
    {
        DtlsTestClient client = await DtlsTestClient.ConnectAsync(listener.LocalEndPoint, options).WaitAsync(TimeSpan.FromSeconds(30));
        _disposables.Add(client);
        return client;
    }

    private static byte[] Payload(int length, byte tag)
    {
        byte[] payload = RandomNumberGenerator.GetBytes(length);
        payload[0] = tag;
        return payload;
    }

    private static void AssertEchoes(DtlsTestClient client, byte tag)
    {
        foreach (int length in new[] { 20, 20, 20, 20, 20, 1000, 1000, 1000, 1000, 1000 })
        {
            byte[] message = Payload(length, tag);
            Assert.Equal(message, client.Echo(message));
        }
    }

    [Fact]
    public async Task HandshakeCompletesAndDatagramsAreEchoed()
    {
        (DtlsListener listener, EchoHandler handler) = Start();

        DtlsTestClient client = await ConnectAsync(listener);
        AssertEchoes(client, 1);

        Assert.Equal(fixture.Certificate.Sha256Fingerprint, client.ServerFingerprint);
        Assert.Equal(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, client.CipherSuite);
        Assert.Equal(ProtocolVersion.DTLSv12, client.Version);
        var connection = Assert.IsType<DtlsClientConnection>(handler.SingleConnection());
        Assert.Equal(ClientTransport.Dtls, connection.Transport);
        Assert.False(connection.IsStream);
        Assert.Equal(client.LocalEndPoint, connection.RemoteEndPoint);
        Assert.Equal(listener.LocalEndPoint, connection.LocalEndPoint);
        Assert.Equal("DTLS 1.2", connection.ProtocolVersion);
        Assert.Equal(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, connection.CipherSuite);
        Assert.Equal(10, handler.Messages[connection]);
        Assert.True(listener.HelloVerifyRequestsSent >= 1, "the cookie exchange was used");
        Assert.Equal(1, listener.ClientCount);
        Assert.Equal(0, listener.HandshakeCount);
    }

    [Fact]
    public async Task TwoClientsAtOnceEachGetTheirOwnEchoes()
    {
        (DtlsListener listener, EchoHandler handler) = Start();

        DtlsTestClient[] clients = await Task.WhenAll(ConnectAsync(listener), ConnectAsync(listener));
        await Task.WhenAll(
            Task.Run(() => AssertEchoes(clients[0], 1)),
            Task.Run(() => AssertEchoes(clients[1], 2)));

        Assert.Equal(2, listener.ClientCount);
        Assert.Equal(2, handler.Messages.Count);
        Assert.All(handler.Messages.Values, count => Assert.Equal(10, count));
    }

    [Fact]
    public async Task GarbageFromAnotherAddressDoesNotDisturbAClient()
    {
        (DtlsListener listener, _) = Start();
        DtlsTestClient client = await ConnectAsync(listener);

        using Socket attacker = UdpClientTransport.ConnectedSocket(listener.LocalEndPoint);
        foreach (byte[] garbage in Garbage())
            attacker.Send(garbage);
        AssertEchoes(client, 1);

        Assert.Equal(1, listener.ClientCount);
        Assert.Equal(0, listener.HandshakeCount);
        Assert.True(listener.DatagramsDropped > 0);
    }

    [Fact]
    public async Task ClientSendingGarbageBeforeAndAfterItsHandshakeDoesNotAffectAnother()
    {
        (DtlsListener listener, EchoHandler handler) = Start();
        DtlsTestClient bystander = await ConnectAsync(listener);

        Socket socket = UdpClientTransport.ConnectedSocket(listener.LocalEndPoint);
        foreach (byte[] garbage in Garbage())
            socket.Send(garbage);
        DtlsTestClient noisy = await Task.Run(() => DtlsTestClient.Connect(socket)).WaitAsync(TimeSpan.FromSeconds(30));
        _disposables.Add(noisy);
        AssertEchoes(noisy, 2);

        foreach (byte[] garbage in Garbage())
            socket.Send(garbage);
        socket.Send(ForgedApplicationRecord(epoch: 1, sequence: 1000));
        socket.Send(ForgedApplicationRecord(epoch: 0, sequence: 1000));

        AssertEchoes(bystander, 1);
        AssertEchoes(noisy, 2);
        Assert.Equal(2, listener.ClientCount);
        Assert.Empty(handler.Closed);
    }

    [Fact]
    public async Task TruncatedHandshakeTimesOutAndFreesItsSlot()
    {
        (DtlsListener listener, EchoHandler handler) = Start(new DtlsListenerSettings
        {
            MaxHandshakes = 1,
            HandshakeTimeout = TimeSpan.FromSeconds(1),
        });

        // ClientHello, then ClientHello with the cookie, then silence: the server waits for the client's second flight.
        Task truncated = DtlsTestClient.ConnectAsync(listener.LocalEndPoint,
            new DtlsTestClient.Options { DropSendsAfter = 2, HandshakeTimeoutMillis = 4000 });
        await Eventually.True(() => listener.HandshakeCount == 1, "the handshake holds the only slot");
        Assert.Equal(1, listener.ClientCount);

        await Eventually.True(() => listener.HandshakeCount == 0 && listener.ClientCount == 0,
            "the handshake timed out and freed its slot", 5000);
        await Assert.ThrowsAnyAsync<Exception>(() => truncated);

        DtlsTestClient client = await ConnectAsync(listener);
        AssertEchoes(client, 1);
        Assert.Empty(handler.Closed); // a session that never completed is not reported
    }

    [Fact]
    public async Task HandshakeBeyondTheLimitWaitsForAFreeSlot()
    {
        (DtlsListener listener, _) = Start(new DtlsListenerSettings
        {
            MaxHandshakes = 1,
            HandshakeTimeout = TimeSpan.FromSeconds(1),
        });
        Task truncated = DtlsTestClient.ConnectAsync(listener.LocalEndPoint,
            new DtlsTestClient.Options { DropSendsAfter = 2, HandshakeTimeoutMillis = 3000 });
        await Eventually.True(() => listener.HandshakeCount == 1, "the handshake holds the only slot");

        // Its ClientHellos are dropped until the slot frees; BouncyCastle's retransmissions then get through.
        DtlsTestClient client = await ConnectAsync(listener);
        AssertEchoes(client, 1);
        await Assert.ThrowsAnyAsync<Exception>(() => truncated);
    }

    [Fact]
    public async Task FragmentedClientHellosArePutTogetherForTheCookieExchange()
    {
        (DtlsListener listener, EchoHandler handler) = Start();

        DtlsTestClient client = await ConnectAsync(listener, new DtlsTestClient.Options { SendLimit = 120 });
        AssertEchoes(client, 1);

        Assert.True(listener.HelloVerifyRequestsSent >= 1, "the cookie exchange was used");
        Assert.Single(handler.Messages);
    }

    [Fact]
    public async Task JunkClientHelloFragmentDoesNotBlockTheRealClient()
    {
        (DtlsListener listener, EchoHandler handler) = Start();
        Socket socket = UdpClientTransport.ConnectedSocket(listener.LocalEndPoint);
        socket.Send(PlausibleHelloFragment());
        await Task.Delay(200);
        Assert.Equal(0, listener.ClientCount); // a fragment starts no handshake

        DtlsTestClient client = await Task.Run(() => DtlsTestClient.Connect(socket)).WaitAsync(TimeSpan.FromSeconds(30));
        _disposables.Add(client);
        AssertEchoes(client, 1);
        Assert.Equal(1, listener.ClientCount);
        Assert.Empty(handler.Closed);
    }

    [Fact]
    public async Task ClientHelloFragmentedOnlyOnceItCarriesTheCookieCompletes()
    {
        // Find the size of this client's first ClientHello, then allow exactly that: the second one, 32 cookie bytes
        // longer, is fragmented. A cookie-less start (message_seq 0) would never see this message (message_seq 1).
        int firstHello;
        using (Socket probe = UdpClientTransport.ConnectedSocket(new IPEndPoint(IPAddress.Loopback, 9)))
        {
            var recorder = new UdpClientTransport(probe, dropSendsAfter: 1);
            Assert.ThrowsAny<Exception>(() => new DtlsClientProtocol().Connect(new DtlsTestClient.Peer(
                new DtlsTestClient.Options { HandshakeTimeoutMillis = 300 }), recorder));
            firstHello = recorder.FirstDatagramLength;
        }
        (DtlsListener listener, EchoHandler handler) = Start();

        DtlsTestClient client = await ConnectAsync(listener, new DtlsTestClient.Options { SendLimit = firstHello });
        AssertEchoes(client, 1);

        Assert.True(listener.HelloVerifyRequestsSent >= 1);
        Assert.Single(handler.Messages);
    }

    [Fact]
    public async Task HandshakesSurviveLostDatagrams()
    {
        (DtlsListener listener, _) = Start(new DtlsListenerSettings { HandshakeTimeout = TimeSpan.FromSeconds(30) });

        // A quarter of the datagrams lost each way, ClientHellos fragmented: both sides retransmit their flights.
        DtlsTestClient[] clients = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            ConnectAsync(listener, new DtlsTestClient.Options { Loss = 0.25, SendLimit = 150, HandshakeTimeoutMillis = 30_000 })));
        foreach (DtlsTestClient client in clients)
            AssertEchoes(client, 1);
        Assert.Equal(3, listener.ClientCount);
    }

    [Fact]
    public async Task RsaCertificateNegotiatesEcdheRsa()
    {
        using var directory = new TempDirectory();
        (var x509, var key) = TestCertificates.CreateSelfSigned("CN=turn.example", rsa: true);
        using (x509)
        using (key)
        {
            File.WriteAllText(directory.File("cert.pem"), x509.ExportCertificatePem());
            File.WriteAllText(directory.File("key.pem"), TestCertificates.KeyPem(key));
        }
        using ServerCertificate rsa = ServerCertificate.LoadOrCreate(directory.File("cert.pem"), directory.File("key.pem"),
            directory.Path, NullLogger.Instance);
        (DtlsListener listener, _) = Start(certificate: rsa);

        DtlsTestClient client = await ConnectAsync(listener);
        AssertEchoes(client, 1);

        Assert.Equal(CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, client.CipherSuite);
        Assert.Equal(rsa.Sha256Fingerprint, client.ServerFingerprint);
        await listener.DisposeAsync();
    }

    [Theory]
    [InlineData(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)]
    [InlineData(CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)]
    [InlineData(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256)]
    [InlineData(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA)]
    [InlineData(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA)]
    public async Task OtherEcdsaSuitesWork(int suite)
    {
        (DtlsListener listener, _) = Start();

        DtlsTestClient client = await ConnectAsync(listener, new DtlsTestClient.Options { CipherSuites = [suite] });
        AssertEchoes(client, 1);

        Assert.Equal(suite, client.CipherSuite);
    }

    [Fact]
    public async Task Dtls10IsRefusedByDefault()
    {
        (DtlsListener listener, _) = Start();

        await Assert.ThrowsAnyAsync<TlsException>(() => DtlsTestClient.ConnectAsync(listener.LocalEndPoint,
            new DtlsTestClient.Options { Versions = ProtocolVersion.DTLSv10.Only(), HandshakeTimeoutMillis = 5000 }));
    }

    [Fact]
    public async Task Dtls10WorksWhenAllowed()
    {
        (DtlsListener listener, EchoHandler handler) = Start(new DtlsListenerSettings { AllowDtls10 = true });

        DtlsTestClient client = await ConnectAsync(listener, new DtlsTestClient.Options { Versions = ProtocolVersion.DTLSv10.Only() });
        AssertEchoes(client, 1);

        Assert.Equal(ProtocolVersion.DTLSv10, client.Version);
        Assert.Equal("DTLS 1.0", ((DtlsClientConnection)handler.SingleConnection()).ProtocolVersion);
    }

    [Fact]
    public async Task SessionWithoutAllocationIsClosedHoweverOftenItSends_ButOneWithAnAllocationStays()
    {
        (DtlsListener listener, EchoHandler handler) = Start(new DtlsListenerSettings { AllocateWithin = TimeSpan.FromMilliseconds(600) });
        DtlsTestClient busy = await ConnectAsync(listener);
        DtlsTestClient allocated = await ConnectAsync(listener);
        allocated.Echo(Payload(20, 2));
        ClientConnection allocatedConnection = handler.Messages.Keys.Single(c => c.RemoteEndPoint.Equals(allocated.LocalEndPoint));
        allocatedConnection.Allocation = new Allocation(1, allocatedConnection, "alice", default,
            new AllocationLimits(8, 8, 0), new Switchboard.Turn.Diagnostics.TurnMetrics(), TimeProvider.System);

        // A record every 100 ms, for up to 3 s: sending does not hold a session that has no allocation.
        for (int i = 0; i < 30 && handler.Closed.Count == 0; i++)
        {
            busy.Send(Payload(20, 1));
            await Task.Delay(100);
        }
        await Eventually.True(() => handler.Closed.Count == 1, "the session without an allocation was closed");
        Assert.Equal(busy.LocalEndPoint, Assert.Single(handler.Closed).RemoteEndPoint);
        await Task.Delay(1000);
        AssertEchoes(allocated, 2);
        Assert.Equal(1, listener.ClientCount);
    }

    [Fact]
    public async Task ClientsPerSourceAreCapped()
    {
        (DtlsListener listener, _) = Start(new DtlsListenerSettings { MaxClientsPerSource = 1 });
        DtlsTestClient first = await ConnectAsync(listener);

        await Assert.ThrowsAnyAsync<Exception>(() => DtlsTestClient.ConnectAsync(listener.LocalEndPoint,
            new DtlsTestClient.Options { HandshakeTimeoutMillis = 2000 }));
        AssertEchoes(first, 1);
        Assert.Equal(1, listener.ClientCount);
    }

    [Fact]
    public async Task ServerCloseSendsCloseNotifyAndReportsTheConnectionOnce()
    {
        (DtlsListener listener, EchoHandler handler) = Start();
        DtlsTestClient client = await ConnectAsync(listener);
        client.Echo(Payload(20, 1));
        ClientConnection connection = handler.SingleConnection();

        connection.Close();
        connection.Close();

        await Eventually.True(() => handler.Closed.Count == 1, "HandleClosed was called");
        Assert.Same(connection, Assert.Single(handler.Closed));
        Assert.Equal(0, listener.ClientCount);
        Assert.Null(client.Receive(1000));
        Assert.True(client.Transport.IsClosed, "the client received close_notify");
        connection.Send(Payload(20, 1)); // ignored after close
        await Task.Delay(200);
        Assert.Single(handler.Closed);
    }

    [Fact]
    public async Task ClientCloseNotifyEndsTheSession()
    {
        (DtlsListener listener, EchoHandler handler) = Start();
        DtlsTestClient client = await ConnectAsync(listener);
        client.Echo(Payload(20, 1));

        client.Close();

        await Eventually.True(() => handler.Closed.Count == 1, "HandleClosed was called");
        Assert.Equal(0, listener.ClientCount);
    }

    [Fact]
    public async Task EstablishedDatagramsAreDecryptedWithoutTheDrainedException()
    {
        (DtlsListener listener, _) = Start();
        DtlsTestClient client = await ConnectAsync(listener);
        client.Echo(Payload(20, 1));
        long before = listener.DatagramsWithoutApplicationData;

        for (int i = 0; i < 50; i++)
            client.Echo(Payload(100, 1));

        Assert.Equal(before, listener.DatagramsWithoutApplicationData);
    }

    [Fact]
    public async Task SeveralRecordsInOneDatagramAreEachDelivered()
    {
        (DtlsListener listener, EchoHandler handler) = Start();
        DtlsTestClient client = await ConnectAsync(listener);
        client.Echo(Payload(20, 1));

        byte[][] messages = [Payload(20, 1), Payload(300, 2), Payload(40, 3)];
        client.Transport.Coalesce = true;
        foreach (byte[] message in messages)
            client.Send(message);
        client.Transport.Coalesce = false;
        client.Transport.Flush();

        foreach (byte[] message in messages)
            Assert.Equal(message, client.Receive());
        Assert.Equal(4, handler.Messages[handler.SingleConnection()]);
    }

    [Fact]
    public async Task ReplayedRecordIsIgnored()
    {
        (DtlsListener listener, EchoHandler handler) = Start();
        DtlsTestClient client = await ConnectAsync(listener);
        client.Echo(Payload(20, 1));
        long before = listener.DatagramsWithoutApplicationData;

        client.Transport.Socket.Send(client.Transport.LastDatagram);
        client.Transport.Socket.Send([.. client.Transport.LastDatagram, .. client.Transport.LastDatagram]);
        await Eventually.True(() => listener.DatagramsWithoutApplicationData == before + 2, "both replays were dropped");
        AssertEchoes(client, 1);

        Assert.Equal(11, handler.Messages[handler.SingleConnection()]);
    }

    [Fact]
    public async Task OversizedSendIsDroppedWithoutEndingTheSession()
    {
        (DtlsListener listener, EchoHandler handler) = Start();
        DtlsTestClient client = await ConnectAsync(listener);

        Assert.Equal(EchoHandler.OversizeCommand, client.Echo(EchoHandler.OversizeCommand));
        AssertEchoes(client, 1);
        Assert.Empty(handler.Closed);
    }

    [Fact]
    public async Task LargestRecordIsCarried()
    {
        (DtlsListener listener, _) = Start();
        DtlsTestClient client = await ConnectAsync(listener);

        byte[] message = Payload(16_000, 1);
        Assert.Equal(message, client.Echo(message));
    }

    [Fact]
    public async Task HandlerExceptionDoesNotStopTheListener()
    {
        (DtlsListener listener, EchoHandler handler) = Start();
        DtlsTestClient client = await ConnectAsync(listener);

        client.Send(EchoHandler.ThrowCommand);
        AssertEchoes(client, 1);
        Assert.Empty(handler.Closed);
    }

    [Fact]
    public async Task ClientStartingOverFromTheSameAddressReplacesItsSession()
    {
        (DtlsListener listener, EchoHandler handler) = Start();
        DtlsTestClient first = await ConnectAsync(listener);
        first.Echo(Payload(20, 1));
        ClientConnection old = handler.SingleConnection();

        // Same socket, same port: a fresh handshake as if the client had restarted.
        DtlsTestClient second = await Task.Run(() => DtlsTestClient.Connect(first.Transport.Socket)).WaitAsync(TimeSpan.FromSeconds(30));
        AssertEchoes(second, 2);

        await Eventually.True(() => handler.Closed.Count == 1, "the old session was reported closed");
        Assert.Same(old, Assert.Single(handler.Closed));
        Assert.Equal(1, listener.ClientCount);
        Assert.Equal(2, handler.Messages.Count);
    }

    [Fact]
    public async Task ClientLimitRefusesNewClients()
    {
        (DtlsListener listener, _) = Start(new DtlsListenerSettings { MaxClients = 1 });
        DtlsTestClient first = await ConnectAsync(listener);

        await Assert.ThrowsAnyAsync<Exception>(() => DtlsTestClient.ConnectAsync(listener.LocalEndPoint,
            new DtlsTestClient.Options { HandshakeTimeoutMillis = 2000 }));
        AssertEchoes(first, 1);
        Assert.Equal(1, listener.ClientCount);
    }

    [Fact]
    public async Task DisposeClosesEverySession()
    {
        (DtlsListener listener, EchoHandler handler) = Start();
        DtlsTestClient[] clients = await Task.WhenAll(ConnectAsync(listener), ConnectAsync(listener));
        foreach (DtlsTestClient client in clients)
            client.Echo(Payload(20, 1));

        await listener.DisposeAsync();

        await Eventually.True(() => handler.Closed.Count == 2, "both sessions were reported closed");
        Assert.Equal(0, listener.ClientCount);
        Assert.All(clients, c => Assert.Null(c.Receive(500)));
        Assert.All(clients, c => Assert.True(c.Transport.IsClosed, "the client received close_notify"));
    }

    [Fact]
    public async Task TwentyEstablishedClientsAreServedAtOnce()
    {
        (DtlsListener listener, _) = Start();
        var clients = new List<DtlsTestClient>();
        for (int i = 0; i < 20; i++)
            clients.Add(await ConnectAsync(listener));

        // The client finishes as the server's Finished arrives; the server's handshake thread ends right after.
        await Eventually.True(() => listener.HandshakeCount == 0, "no handshake thread is left");
        await Task.WhenAll(clients.Select((c, i) => Task.Run(() => AssertEchoes(c, (byte)i))));
        Assert.Equal(20, listener.ClientCount);
    }

    /// <summary>Datagrams a DTLS server must shrug off.</summary>
    private static IEnumerable<byte[]> Garbage()
    {
        yield return [];
        yield return [0];
        yield return RandomNumberGenerator.GetBytes(13);
        for (int i = 0; i < 30; i++)
            yield return RandomNumberGenerator.GetBytes(RandomNumberGenerator.GetInt32(1, 1500));
        // Looks like a ClientHello record, but the body is junk.
        byte[] fakeHello = RandomNumberGenerator.GetBytes(200);
        fakeHello[0] = 22;
        fakeHello[1] = 0xFE;
        fakeHello[2] = 0xFD;
        fakeHello[3] = 0;
        fakeHello[4] = 0;
        fakeHello[11] = 0;
        fakeHello[12] = 187;
        fakeHello[13] = 1;
        fakeHello[14] = 0;
        fakeHello[15] = 0;
        fakeHello[16] = 175;
        fakeHello[19] = fakeHello[20] = fakeHello[21] = 0;
        fakeHello[22] = 0;
        fakeHello[23] = 0;
        fakeHello[24] = 175;
        yield return fakeHello;
        // A first ClientHello fragment whose body does not start with a DTLS version.
        byte[] fakeFragment = (byte[])fakeHello.Clone();
        fakeFragment[16] = 250;
        fakeFragment[25] = 0x03;
        yield return fakeFragment;
        yield return ForgedApplicationRecord(epoch: 1, sequence: 5);
    }

    /// <summary>A plausible first ClientHello fragment (DTLS 1.2 version, empty session ID) followed by junk.</summary>
    private static byte[] PlausibleHelloFragment()
    {
        byte[] fragment = RandomNumberGenerator.GetBytes(13 + 12 + 100);
        byte[] header = [22, 0xFE, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 112, 1, 0, 1, 0x2C, 0, 0, 0, 0, 0, 0, 0, 100];
        header.CopyTo(fragment, 0);
        fragment[25] = 0xFE;
        fragment[26] = 0xFD;
        fragment[25 + 34] = 0; // session_id length
        return fragment;
    }

    /// <summary>An application_data record with a random body: it fails authentication.</summary>
    private static byte[] ForgedApplicationRecord(ushort epoch, long sequence)
    {
        byte[] record = new byte[13 + 64];
        record[0] = 23;
        record[1] = 0xFE;
        record[2] = 0xFD;
        record[3] = (byte)(epoch >> 8);
        record[4] = (byte)epoch;
        for (int i = 0; i < 6; i++)
            record[5 + i] = (byte)(sequence >> (8 * (5 - i)));
        record[11] = 0;
        record[12] = 64;
        RandomNumberGenerator.Fill(record.AsSpan(13));
        return record;
    }
}
