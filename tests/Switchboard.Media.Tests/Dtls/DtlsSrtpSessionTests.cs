using System.Diagnostics;
using Switchboard.Dtls;
using Switchboard.Media.Tests.Support;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Srtp;

namespace Switchboard.Media.Tests.Dtls;

public sealed class DtlsSrtpSessionTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static readonly DtlsSrtpSettings FastRetransmission = TestLinks.FastRetransmission;

    private InMemoryLink? _link;

    public void Dispose() => _link?.Dispose();

    private (DtlsPeer Server, DtlsPeer Client) Pair(InMemoryLink link, DtlsSrtpSettings settings,
        CertificateFingerprint? serverExpects = null, CertificateFingerprint? clientExpects = null)
    {
        _link = link;
        var server = new DtlsPeer(DtlsRole.Server, TestCertificates.Server, serverExpects ?? TestCertificates.Client.Fingerprint, link.A, settings);
        var client = new DtlsPeer(DtlsRole.Client, TestCertificates.Client, clientExpects ?? TestCertificates.Server.Fingerprint, link.B, settings);
        return (server, client);
    }

    private static async Task<(SrtpKeyingMaterial Server, SrtpKeyingMaterial Client)> Connect(DtlsPeer server, DtlsPeer client)
    {
        server.Session.Start();
        client.Session.Start();
        Task<string> anyEnded = Task.WhenAny(server.Ended.Task, client.Ended.Task).Unwrap();
        Task both = Task.WhenAll(server.Connected.Task, client.Connected.Task);
        Task first = await Task.WhenAny(both, anyEnded).WaitAsync(Wait);
        if (first == anyEnded) Assert.Fail($"the handshake ended instead of connecting: {await anyEnded}");
        return (await server.Connected.Task, await client.Connected.Task);
    }

    /// <summary>RTP protected with the client's local keys opens with the server's remote keys; RTCP the other way.</summary>
    private static void AssertSrtpFlows(SrtpKeyingMaterial server, SrtpKeyingMaterial client)
    {
        byte[] payload = new byte[160];
        new Random(7).NextBytes(payload);
        byte[] rtp = Packets.Rtp(sequence: 4711, timestamp: 123_456, ssrc: 0xC11E_0001, payload);
        byte[] srtp;
        using (var clientSends = new SrtpContext(client.Profile, client.LocalMasterKey, client.LocalMasterSalt))
            srtp = Packets.ProtectRtp(clientSends, rtp);
        Assert.Equal(rtp.Length + 16, srtp.Length);
        Assert.Equal(rtp[..12], srtp[..12]);
        Assert.NotEqual(payload, srtp[12..rtp.Length]);
        using (var serverReceives = new SrtpContext(server.Profile, server.RemoteMasterKey, server.RemoteMasterSalt))
        {
            Assert.Equal(SrtpResult.Ok, serverReceives.UnprotectRtp(srtp, out int length));
            Assert.Equal(rtp, srtp[..length]);
        }
        // The client's keys do not open what the client itself sent: the two directions differ.
        using (var clientSendsAgain = new SrtpContext(client.Profile, client.LocalMasterKey, client.LocalMasterSalt))
        using (var wrongDirection = new SrtpContext(client.Profile, client.RemoteMasterKey, client.RemoteMasterSalt))
        {
            byte[] again = Packets.ProtectRtp(clientSendsAgain, rtp);
            Assert.Equal(SrtpResult.AuthenticationFailed, wrongDirection.UnprotectRtp(again, out _));
        }

        byte[] rtcp = Packets.RtcpSenderReport(ssrc: 0x5E7E_0001, ntp: 0xE7A1_B2C3_D4E5_F607, rtpTimestamp: 90_000, packetCount: 12, octetCount: 3456);
        byte[] srtcp;
        using (var serverSends = new SrtpContext(server.Profile, server.LocalMasterKey, server.LocalMasterSalt))
            srtcp = Packets.ProtectRtcp(serverSends, rtcp);
        Assert.Equal(rtcp.Length + 16 + 4, srtcp.Length);
        Assert.NotEqual(rtcp[8..], srtcp[8..rtcp.Length]);
        using var clientReceives = new SrtpContext(client.Profile, client.RemoteMasterKey, client.RemoteMasterSalt);
        Assert.Equal(SrtpResult.Ok, clientReceives.UnprotectRtcp(srtcp, out int rtcpLength));
        Assert.Equal(rtcp, srtcp[..rtcpLength]);
    }

    /// <summary>Closing <paramref name="closing"/> sends close_notify, which ends <paramref name="other"/>.</summary>
    private static async Task AssertCloseEndsThePeer(DtlsPeer closing, DtlsPeer other)
    {
        closing.Session.Close();
        Assert.True(closing.Session.IsEnded);
        Assert.Equal("closed", await closing.Ended.Task.WaitAsync(Wait));
        string reason = await other.Ended.Task.WaitAsync(Wait);
        Assert.Contains("closed by the peer", reason);
        Assert.True(other.Session.IsEnded);
        Assert.False(other.Session.IsConnected);
        Assert.Equal(1, closing.EndedCount);
        Assert.Equal(1, other.EndedCount);
    }

    [Fact]
    public async Task CleanLinkConnectsBothRolesWithMirroredGcmKeys()
    {
        var link = new InMemoryLink(seed: 1);
        (DtlsPeer server, DtlsPeer client) = Pair(link, FastRetransmission);

        (SrtpKeyingMaterial serverKeys, SrtpKeyingMaterial clientKeys) = await Connect(server, client);

        Assert.True(server.Session.IsConnected);
        Assert.True(client.Session.IsConnected);
        Assert.Same(serverKeys, server.Session.Keys);
        Assert.Same(clientKeys, client.Session.Keys);
        Assert.Equal(1, server.ConnectedCount);
        Assert.Equal(1, client.ConnectedCount);
        Assert.Equal(0, server.EndedCount + client.EndedCount);
        KeyAssertions.Mirror(serverKeys, clientKeys);
        AssertSrtpFlows(serverKeys, clientKeys);
        Assert.Empty(link.HandlerFaults);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(10)]
    public async Task LossyReorderingDuplicatingLinkStillConnectsWithinTheHandshakeTimeout(int seed)
    {
        var link = new InMemoryLink(seed, TestLinks.Lossy);
        (DtlsPeer server, DtlsPeer client) = Pair(link, TestLinks.LossySettings);
        var elapsed = Stopwatch.StartNew();

        (SrtpKeyingMaterial serverKeys, SrtpKeyingMaterial clientKeys) = await Connect(server, client);

        Assert.True(elapsed.Elapsed < TestLinks.LossySettings.HandshakeTimeout, $"connected after {elapsed.Elapsed}");
        Assert.True(link.A.Dropped(MultiplexedPacketKind.Dtls) > 0 && link.B.Dropped(MultiplexedPacketKind.Dtls) > 0,
            $"the link lost {link.A.Dropped(MultiplexedPacketKind.Dtls)} server and {link.B.Dropped(MultiplexedPacketKind.Dtls)} client datagrams: both directions must lose some");
        KeyAssertions.Mirror(serverKeys, clientKeys);
        AssertSrtpFlows(serverKeys, clientKeys);

        // Late retransmissions and duplicates of the last flights reach established sessions: they must not end them.
        link.Impairment = LinkImpairment.None;
        Assert.True(link.WaitIdle(Wait));
        Assert.True(server.Session.IsConnected);
        Assert.True(client.Session.IsConnected);
        Assert.Equal(0, server.EndedCount + client.EndedCount);
        Assert.Empty(link.HandlerFaults);
    }

    /// <summary>
    /// The client's flight is Certificate, ClientKeyExchange, CertificateVerify, ChangeCipherSpec, Finished, one
    /// datagram each. When only CertificateVerify is lost, the server's record layer moves to epoch 1 on the
    /// ChangeCipherSpec and then drops every retransmitted CertificateVerify, which is in epoch 0: BouncyCastle 2.7.0
    /// alone can only time out (bc-java issue 229). Browsers put the whole flight in one datagram, which hides this; a
    /// client that does not (BouncyCastle's own) meets it on any lossy path. <see cref="CertificateVerifyGuard"/> holds
    /// back the early ChangeCipherSpec so the retransmitted flight completes.
    /// </summary>
    [Fact]
    public async Task ServerRecoversWhenTheClientCertificateVerifyIsLost()
    {
        int lost = 0;
        var link = new InMemoryLink(seed: 7, new LinkImpairment(
            Lost: datagram => DtlsRecords.HasCertificateVerify(datagram) && Interlocked.Exchange(ref lost, 1) == 0));
        (DtlsPeer server, DtlsPeer client) = Pair(link, FastRetransmission with { HandshakeTimeout = TimeSpan.FromSeconds(5) });

        (SrtpKeyingMaterial serverKeys, SrtpKeyingMaterial clientKeys) = await Connect(server, client);

        Assert.Equal(1, lost);
        KeyAssertions.Mirror(serverKeys, clientKeys);
    }

    [Fact]
    public async Task ServerEndsBothWhenTheClientCertificateDoesNotMatchTheExpectedFingerprint()
    {
        var link = new InMemoryLink(seed: 2);
        (DtlsPeer server, DtlsPeer client) = Pair(link, FastRetransmission, serverExpects: TestCertificates.Other.Fingerprint);
        server.Session.Start();
        client.Session.Start();

        string serverReason = await server.Ended.Task.WaitAsync(Wait);
        string clientReason = await client.Ended.Task.WaitAsync(Wait);

        Assert.Contains("certificate", serverReason, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("fingerprint", serverReason, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("received bad_certificate", clientReason);
        AssertNeverConnected(server, client);
    }

    [Fact]
    public async Task ClientEndsBothWhenTheServerCertificateDoesNotMatchTheExpectedFingerprint()
    {
        var link = new InMemoryLink(seed: 3);
        // A fingerprint of the right hash function and length with one byte changed.
        string value = TestCertificates.Server.Fingerprint.Value;
        var tampered = new CertificateFingerprint("sha-256", (value[0] == '0' ? "1" : "0") + value[1..]);
        (DtlsPeer server, DtlsPeer client) = Pair(link, FastRetransmission, clientExpects: tampered);
        server.Session.Start();
        client.Session.Start();

        string clientReason = await client.Ended.Task.WaitAsync(Wait);
        string serverReason = await server.Ended.Task.WaitAsync(Wait);

        Assert.Contains("certificate", clientReason, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("fingerprint", clientReason, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("received bad_certificate", serverReason);
        AssertNeverConnected(server, client);
    }

    private static void AssertNeverConnected(DtlsPeer server, DtlsPeer client)
    {
        foreach (DtlsPeer peer in new[] { server, client })
        {
            Assert.Equal(0, peer.ConnectedCount);
            Assert.Equal(1, peer.EndedCount);
            Assert.False(peer.Connected.Task.IsCompleted);
            Assert.True(peer.Session.IsEnded);
            Assert.False(peer.Session.IsConnected);
            Assert.Null(peer.Session.Keys);
        }
    }

    [Theory]
    [InlineData(DtlsRole.Client)]
    [InlineData(DtlsRole.Server)]
    public async Task PeerThatNeverAnswersEndsTheHandshakeAfterTheTimeout(DtlsRole role)
    {
        var settings = FastRetransmission with { HandshakeTimeout = TimeSpan.FromSeconds(1) };
        int sent = 0;
        var session = new DtlsSrtpSession(role, TestCertificates.Client, TestCertificates.Server.Fingerprint,
            _ => Interlocked.Increment(ref sent), settings);
        var ended = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool connected = false;
        session.Connected += _ => connected = true;
        session.Ended += reason => ended.TrySetResult(reason);
        var elapsed = Stopwatch.StartNew();

        session.Start();
        string reason = await ended.Task.WaitAsync(Wait);

        Assert.InRange(elapsed.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(5));
        Assert.StartsWith("DTLS handshake failed", reason);
        Assert.Contains("timed out", reason);
        Assert.True(session.IsEnded);
        Assert.False(connected);
        Assert.Null(session.Keys);
        if (role == DtlsRole.Client)
            Assert.True(Volatile.Read(ref sent) >= 3, $"the ClientHello was sent {sent} times: retransmissions every 100 ms, doubling, fit at least 3 in 1 s");
        else
            Assert.Equal(0, Volatile.Read(ref sent));
    }

    [Fact]
    public async Task CloseSendsCloseNotifyAndEndsThePeer()
    {
        var link = new InMemoryLink(seed: 4);
        (DtlsPeer server, DtlsPeer client) = Pair(link, FastRetransmission);
        await Connect(server, client);
        Assert.True(link.WaitIdle(Wait));
        int alertsBefore = link.A.Sent(MultiplexedPacketKind.Dtls);

        await AssertCloseEndsThePeer(server, client);

        Assert.Equal(alertsBefore + 1, link.A.Sent(MultiplexedPacketKind.Dtls));
        Assert.Empty(link.HandlerFaults);
    }

    /// <summary>
    /// A datagram may hold several records (RFC 6347 §4.1.1; browsers pack them): each is delivered at once, and a
    /// smaller datagram after it does not break the record layer (BouncyCastle reads what is left of the earlier one
    /// into a buffer sized for the new one, which once failed the session with internal_error).
    /// </summary>
    [Fact]
    public async Task EveryRecordOfADatagramIsDeliveredAtOnceAndASmallerDatagramAfterItIsRead()
    {
        var link = new InMemoryLink(seed: 9);
        (DtlsPeer server, DtlsPeer client) = Pair(link, FastRetransmission);
        await Connect(server, client);
        Assert.True(link.WaitIdle(Wait));
        var delivered = new List<byte[]>();
        server.Session.ApplicationData += record => { lock (delivered) delivered.Add(record); };
        var captured = new List<byte[]>();
        link.A.Receive = (_, datagram) => { lock (captured) captured.Add(datagram); };

        byte[][] messages = [Enumerable.Repeat((byte)1, 40).ToArray(), Enumerable.Repeat((byte)2, 400).ToArray(), [3, 3, 3]];
        foreach (byte[] message in messages) Assert.True(client.Session.Send(message));
        Assert.True(link.WaitIdle(Wait));
        Assert.Equal(3, captured.Count);

        server.Session.OnDatagram([.. captured[0], .. captured[1]]);
        lock (delivered) Assert.Equal(messages[..2], delivered);
        server.Session.OnDatagram(captured[2]);
        lock (delivered) Assert.Equal(messages, delivered);
        Assert.True(server.Session.IsConnected);
        Assert.Equal(0, server.EndedCount);
    }

    [Fact]
    public async Task GarbageDatagramsAfterEstablishmentNeitherEndTheSessionNorChangeItsKeys()
    {
        var link = new InMemoryLink(seed: 5);
        (DtlsPeer server, DtlsPeer client) = Pair(link, FastRetransmission);
        (SrtpKeyingMaterial serverKeys, SrtpKeyingMaterial clientKeys) = await Connect(server, client);
        Assert.True(link.WaitIdle(Wait));
        byte[] serverLocalKey = serverKeys.LocalMasterKey.ToArray(), clientLocalKey = clientKeys.LocalMasterKey.ToArray();

        var random = new Random(20_63);
        for (int i = 0; i < 500; i++)
        {
            byte[] garbage = new byte[random.Next(1, 1500)];
            random.NextBytes(garbage);
            garbage[0] = (byte)random.Next(20, 64);
            if (i % 5 == 0 && garbage.Length >= 13)
            {
                // Some look like DTLS 1.2 records of the current epoch with a plausible length.
                garbage[1] = 0xFE;
                garbage[2] = 0xFD;
                garbage[3] = 0;
                garbage[4] = 1;
                garbage[11] = (byte)((garbage.Length - 13) >> 8);
                garbage[12] = (byte)(garbage.Length - 13);
            }
            (i % 2 == 0 ? server : client).Session.OnDatagram(garbage);
        }

        Assert.True(link.WaitIdle(Wait));
        foreach (DtlsPeer peer in new[] { server, client })
        {
            Assert.True(peer.Session.IsConnected);
            Assert.False(peer.Session.IsEnded);
            Assert.Equal(0, peer.EndedCount);
        }
        Assert.Same(serverKeys, server.Session.Keys);
        Assert.Same(clientKeys, client.Session.Keys);
        Assert.Equal(serverLocalKey, server.Session.Keys!.LocalMasterKey);
        Assert.Equal(clientLocalKey, client.Session.Keys!.LocalMasterKey);
        KeyAssertions.Mirror(server.Session.Keys, client.Session.Keys!);
        AssertSrtpFlows(server.Session.Keys, client.Session.Keys!);
        // The record layer survived: close_notify still authenticates at the peer.
        await AssertCloseEndsThePeer(client, server);
        Assert.Empty(link.HandlerFaults);
    }

    [Fact]
    public async Task EmptyAndMaximumSizeDatagramsAreHarmlessBeforeDuringAndAfterTheHandshake()
    {
        var link = new InMemoryLink(seed: 6);
        (DtlsPeer server, DtlsPeer client) = Pair(link, FastRetransmission);
        byte[] huge = new byte[65_535];
        new Random(6).NextBytes(huge);
        huge[0] = 22; // a handshake record header
        huge[1] = 0xFE;
        huge[2] = 0xFD;

        server.Session.OnDatagram([]);
        server.Session.OnDatagram(huge);
        client.Session.OnDatagram([]);
        client.Session.OnDatagram(huge);
        (SrtpKeyingMaterial serverKeys, SrtpKeyingMaterial clientKeys) = await Connect(server, client);
        Assert.True(link.WaitIdle(Wait));

        foreach (DtlsPeer peer in new[] { server, client })
        {
            peer.Session.OnDatagram([]);
            peer.Session.OnDatagram(huge);
            peer.Session.OnDatagram(huge.AsSpan(0, 1));
            Assert.True(peer.Session.IsConnected);
            Assert.Equal(0, peer.EndedCount);
        }
        KeyAssertions.Mirror(serverKeys, clientKeys);
        AssertSrtpFlows(serverKeys, clientKeys);
        await AssertCloseEndsThePeer(server, client);

        // And after the end: ignored.
        server.Session.OnDatagram([]);
        server.Session.OnDatagram(huge);
        Assert.Equal(1, server.EndedCount);
        Assert.Empty(link.HandlerFaults);
    }
}
