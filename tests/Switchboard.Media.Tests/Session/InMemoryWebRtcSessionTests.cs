using System.Diagnostics;
using Switchboard.Dtls;
using Switchboard.Media.Tests.Support;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Srtp;
using Xunit.Abstractions;

namespace Switchboard.Media.Tests.Session;

/// <summary>
/// A whole WebRTC media session in memory: ICE-lite checks, DTLS-SRTP over the validated path, then SRTP and SRTCP
/// both ways on one demultiplexed port, over a link that loses, duplicates and reorders datagrams.
/// </summary>
public sealed class InMemoryWebRtcSessionTests(ITestOutputHelper output)
{
    private const int PacketsEachWay = 1000;
    private const uint ClientSsrc = 0xC11E_0001, ServerSsrc = 0x5E7E_0001;
    private const ushort ClientFirstSequence = 65_000; // crosses 65535 -> 0 after 536 packets: the ROC goes to 1
    private const ushort ServerFirstSequence = 17;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static readonly DtlsSrtpSettings Settings = TestLinks.LossySettings;

    [Theory]
    [InlineData("clean", 1)]
    [InlineData("lossy", 102)]
    [InlineData("lossy", 103)]
    public async Task IceLiteDtlsSrtpSessionCarriesAThousandPacketsEachWay(string name, int seed)
    {
        // The lossy link is the DTLS tests' one (20% loss, 5% duplication, 10% reordering), on STUN and SRTP too.
        LinkImpairment impairment = name == "lossy" ? TestLinks.Lossy : LinkImpairment.None;
        var elapsed = Stopwatch.StartNew();
        using var link = new InMemoryLink(seed);
        IceCredentials serverIce = IceCredentials.Generate(), clientIce = IceCredentials.Generate();
        var server = new IceLiteServerEngine(link.A, serverIce, clientIce, TestCertificates.Server, TestCertificates.Client.Fingerprint, Settings);
        var client = new FullIceClientEngine(link.B, link.A.Address, clientIce, serverIce, TestCertificates.Client,
            TestCertificates.Server.Fingerprint, Settings);
        using var stop = new CancellationTokenSource(Wait);
        try
        {
            server.Start();

            // Before any check: DTLS and media from the client's address are refused, and never reach the DTLS session.
            link.B.Send([22, 0xFE, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
            link.B.Send(Packets.Rtp(1, 1, ClientSsrc, new byte[20]));
            Assert.True(link.WaitIdle(Wait));
            Assert.Equal(2, server.Refused);
            Assert.False(server.Dtls.Transport.HasPending);
            Assert.False(server.Agent.IsValidPath(link.B.Address.ToString()));

            // ICE, then DTLS, over the impaired link.
            link.Impairment = impairment;
            Task ice = client.RunAsync(TimeSpan.FromMilliseconds(50), stop.Token);
            (SrtpKeyingMaterial serverKeys, SrtpKeyingMaterial clientKeys) = await BothConnect(server, client);
            await ice.WaitAsync(Wait);
            TimeSpan connectedAfter = elapsed.Elapsed;

            Assert.Equal(link.B.Address, await client.BindingSucceeded);
            Assert.True(server.Agent.TryGetSelectedPath(out string selected));
            Assert.Equal(link.B.Address.ToString(), selected);
            Assert.True(server.Agent.IsValidPath(selected));
            Assert.False(server.Agent.IsConsentExpired(Environment.TickCount64));
            Assert.True(server.CheckOutcomes.GetValueOrDefault(IceCheckOutcome.Nominated) >= 1);
            Assert.Equal([IceCheckOutcome.Nominated], server.CheckOutcomes.Keys);
            Assert.Equal(0, server.MalformedStun);
            Assert.Equal(0, client.ResponsesRejected);
            Assert.True(client.ResponsesAccepted >= 1);
            KeyAssertions.Mirror(serverKeys, clientKeys);

            // SRTP both ways, still over the impaired link.
            var random = new Random(seed);
            var clientSent = new Dictionary<ushort, (byte[] Rtp, byte[] Srtp)>();
            var serverSent = new Dictionary<ushort, (byte[] Rtp, byte[] Srtp)>();
            var clientRtcp = new List<byte[]>();
            var serverRtcp = new List<byte[]>();
            for (int i = 0; i < PacketsEachWay; i++)
            {
                ushort clientSequence = (ushort)(ClientFirstSequence + i), serverSequence = (ushort)(ServerFirstSequence + i);
                clientSent.Add(clientSequence, Send(client, random, clientSequence, (uint)(i * 960), ClientSsrc));
                serverSent.Add(serverSequence, Send(server, random, serverSequence, (uint)(i * 3000), ServerSsrc));
                if (i % 100 == 99)
                {
                    byte[] clientReport = Packets.RtcpSenderReport(ClientSsrc, (ulong)i << 32, (uint)(i * 960), (uint)i + 1, (uint)i * 100);
                    client.SendRtcp(clientReport);
                    clientRtcp.Add(clientReport);
                    byte[] serverReport = Packets.RtcpSenderReport(ServerSsrc, (ulong)i << 32, (uint)(i * 3000), (uint)i + 1, (uint)i * 100);
                    server.SendRtcp(serverReport);
                    serverRtcp.Add(serverReport);
                }
            }
            Assert.True(link.WaitIdle(Wait));
            Assert.Contains((ushort)65_535, clientSent.Keys);
            Assert.Contains((ushort)0, clientSent.Keys);

            AssertEveryDeliveredPacketDecrypts("client to server", clientSent, clientRtcp, server, link.B);
            AssertEveryDeliveredPacketDecrypts("server to client", serverSent, serverRtcp, client, link.A);

            // Replayed and forged packets, each way, on a clean link so that each one arrives.
            link.Impairment = LinkImpairment.None;
            AssertReplayAndForgeryAreRejected(client, server, clientSent, ClientSsrc, unchecked((ushort)(ClientFirstSequence + PacketsEachWay)), link);
            AssertReplayAndForgeryAreRejected(server, client, serverSent, ServerSsrc, (ushort)(ServerFirstSequence + PacketsEachWay), link);

            Assert.True(server.Dtls.IsConnected);
            Assert.True(client.Dtls.IsConnected);
            Assert.False(server.Ended.Task.IsCompleted);
            Assert.False(client.Ended.Task.IsCompleted);
            Assert.Equal(0, server.Unknown + client.Unknown);
            Assert.Equal(0, client.Refused);
            Assert.Equal(2, server.Refused);
            Assert.Empty(link.HandlerFaults);
            output.WriteLine($"{name} link (seed {seed}): connected after {connectedAfter.TotalMilliseconds:F0} ms, " +
                $"{client.RequestsSent} Binding requests, whole test {elapsed.ElapsedMilliseconds} ms; lost " +
                $"{link.A.DroppedTotal} server and {link.B.DroppedTotal} client datagrams " +
                $"({link.A.Dropped(MultiplexedPacketKind.Dtls) + link.B.Dropped(MultiplexedPacketKind.Dtls)} DTLS, " +
                $"{link.A.Dropped(MultiplexedPacketKind.Stun) + link.B.Dropped(MultiplexedPacketKind.Stun)} STUN)");
            if (impairment.Loss > 0)
            {
                // The seeds are ones whose losses hit the Binding requests or responses and DTLS both ways, not only media.
                Assert.True(link.A.Dropped(MultiplexedPacketKind.Stun) + link.B.Dropped(MultiplexedPacketKind.Stun) > 0);
                Assert.True(client.RequestsSent > 1);
                Assert.True(link.A.Dropped(MultiplexedPacketKind.Dtls) > 0 && link.B.Dropped(MultiplexedPacketKind.Dtls) > 0);
                Assert.True(link.A.Dropped(MultiplexedPacketKind.Rtp) > 0 && link.B.Dropped(MultiplexedPacketKind.Rtp) > 0);
            }
        }
        finally
        {
            stop.Cancel();
            link.Dispose();
            server.Dispose();
            client.Dispose();
        }
    }

    /// <summary>Sends an RTP packet with a random payload; returns it and the SRTP packet as sent.</summary>
    private static (byte[] Rtp, byte[] Srtp) Send(MediaEndpoint from, Random random, ushort sequence, uint timestamp, uint ssrc)
    {
        byte[] payload = new byte[random.Next(20, 1200)];
        random.NextBytes(payload);
        byte[] rtp = Packets.Rtp(sequence, timestamp, ssrc, payload);
        return (rtp, from.SendRtp(rtp));
    }

    private static async Task<(SrtpKeyingMaterial, SrtpKeyingMaterial)> BothConnect(MediaEndpoint server, MediaEndpoint client)
    {
        Task both = Task.WhenAll(server.Connected.Task, client.Connected.Task);
        Task<string> anyEnded = Task.WhenAny(server.Ended.Task, client.Ended.Task).Unwrap();
        if (await Task.WhenAny(both, anyEnded).WaitAsync(Wait) == anyEnded)
            Assert.Fail($"DTLS ended instead of connecting: {await anyEnded}");
        return (await server.Connected.Task, await client.Connected.Task);
    }

    /// <summary>
    /// Every packet the link delivered was accepted exactly once, decrypted to what was sent; the copies the link
    /// duplicated were rejected as replays; nothing else was rejected.
    /// </summary>
    private static void AssertEveryDeliveredPacketDecrypts(string direction, Dictionary<ushort, (byte[] Rtp, byte[] Srtp)> sent,
        List<byte[]> sentRtcp, MediaEndpoint receiver, LinkEnd senderEnd)
    {
        Received[] rtp = receiver.ReceivedRtp.ToArray();
        Received[] accepted = rtp.Where(r => r.Result == SrtpResult.Ok).ToArray();
        foreach (Received packet in accepted)
            Assert.Equal(sent[Packets.Sequence(packet.Packet)].Rtp, packet.Packet);
        Assert.Equal(accepted.Length, accepted.Select(r => Packets.Sequence(r.Packet)).Distinct().Count());
        Assert.True(sent.Count - senderEnd.Dropped(MultiplexedPacketKind.Rtp) == accepted.Length,
            $"{direction}: {accepted.Length} accepted of {sent.Count} sent, {senderEnd.Dropped(MultiplexedPacketKind.Rtp)} lost");
        Assert.Equal(senderEnd.Duplicated(MultiplexedPacketKind.Rtp), rtp.Count(r => r.Result == SrtpResult.Replayed));
        Assert.Equal(accepted.Length + senderEnd.Duplicated(MultiplexedPacketKind.Rtp), rtp.Length);

        Received[] rtcp = receiver.ReceivedRtcp.ToArray();
        Received[] acceptedRtcp = rtcp.Where(r => r.Result == SrtpResult.Ok).ToArray();
        foreach (Received report in acceptedRtcp)
            Assert.Contains(sentRtcp, sentReport => sentReport.AsSpan().SequenceEqual(report.Packet));
        Assert.Equal(sentRtcp.Count - senderEnd.Dropped(MultiplexedPacketKind.Rtcp), acceptedRtcp.Length);
        Assert.Equal(senderEnd.Duplicated(MultiplexedPacketKind.Rtcp), rtcp.Count(r => r.Result == SrtpResult.Replayed));
        Assert.Equal(acceptedRtcp.Length + senderEnd.Duplicated(MultiplexedPacketKind.Rtcp), rtcp.Length);
    }

    private static void AssertReplayAndForgeryAreRejected(MediaEndpoint sender, MediaEndpoint receiver,
        Dictionary<ushort, (byte[] Rtp, byte[] Srtp)> sent, uint ssrc, ushort nextSequence, InMemoryLink link)
    {
        ushort acceptedSequence = Packets.Sequence(receiver.ReceivedRtp.First(r => r.Result == SrtpResult.Ok).Packet);
        int before = receiver.ReceivedRtp.Count;

        // A replay of a packet the receiver accepted.
        sender.SendRaw(sent[acceptedSequence].Srtp.ToArray());
        Assert.True(link.WaitIdle(Wait));
        Assert.Equal([SrtpResult.Replayed], receiver.ReceivedRtp.Skip(before).Select(r => r.Result));

        // A forgery: one flipped bit of ciphertext; then the genuine packet with the same sequence number, and more.
        byte[] rtp = Packets.Rtp(nextSequence, 1, ssrc, "after the forgery"u8);
        byte[] genuine = sender.ProtectRtp(rtp);
        byte[] forged = genuine.ToArray();
        forged[14] ^= 0x01;
        sender.SendRaw(forged);
        sender.SendRaw(genuine);
        var later = new List<byte[]>();
        for (int i = 1; i <= 10; i++)
        {
            byte[] next = Packets.Rtp((ushort)(nextSequence + i), (uint)(1 + i), ssrc, new byte[] { (byte)i, 1, 2, 3 });
            sender.SendRtp(next);
            later.Add(next);
        }
        Assert.True(link.WaitIdle(Wait));

        Received[] results = receiver.ReceivedRtp.Skip(before + 1).ToArray();
        Assert.Equal(12, results.Length);
        Assert.Equal(SrtpResult.AuthenticationFailed, results[0].Result);
        Assert.Equal(SrtpResult.Ok, results[1].Result);
        Assert.Equal(rtp, results[1].Packet);
        for (int i = 0; i < later.Count; i++)
        {
            Assert.Equal(SrtpResult.Ok, results[2 + i].Result);
            Assert.Equal(later[i], results[2 + i].Packet);
        }
    }
}
