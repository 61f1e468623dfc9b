using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchboard.Dtls;
using Switchboard.Media.Echo;
using Switchboard.Media.Tests.Session;
using Switchboard.Media.Tests.Support;
using Switchboard.Media.Transport;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;
using Switchboard.Protocols.Sdp;
using Switchboard.Protocols.Srtp;
using Switchboard.Protocols.Stun;

namespace Switchboard.Media.Tests.Transport;

/// <summary>
/// The media transport host on real loopback sockets, with the echo as its handler and the tests' own client engine
/// (a full ICE agent, DTLS client, SRTP) as the browser: over UDP and ICE-TCP, IPv4 and IPv6, the echo returns every
/// packet with the announced SSRC, turns PLI around to the sender's stream, forwards SRs as its own, and the host drops
/// a peer whose checks stop.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "xUnit v2 disposes a test class through IAsyncLifetime.DisposeAsync, which CA1001 does not count")]
public sealed class MediaTransportHostTests : IAsyncLifetime
{
    private const uint ClientSsrc = 0x1111_2222;

    private readonly MediaTransportHost _host = new(Options.Create(new MediaOptions
    {
        UdpPort = 0,
        TcpPort = 0,
        AnnouncedAddresses = ["127.0.0.1", "::1"],
        ConsentTimeout = TimeSpan.FromSeconds(3),
    }), NullLogger<MediaTransportHost>.Instance);

    private EchoService _echo = null!;

    public Task InitializeAsync()
    {
        _echo = new EchoService(_host, Options.Create(new MediaOptions()), NullLogger<EchoService>.Instance);
        return _host.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }

    [Theory]
    [InlineData("udp", "127.0.0.1")]
    [InlineData("udp", "::1")]
    [InlineData("tcp", "127.0.0.1")]
    [InlineData("tcp", "::1")]
    public async Task Echo_returns_media_with_the_announced_ssrc_and_turns_feedback_around(string transport, string address)
    {
        var client = new ClientIdentity();
        EchoOfferResult offer = _echo.Offer(client.Offer());
        Assert.True(offer.Answer is not null, offer.Problem);
        var answer = SessionDescription.Parse(offer.Answer!);
        var section = answer.Media[0];
        uint echoedSsrc = section.Ssrcs.First();
        IceCandidate candidate = section.Candidates.Single(c => c.Transport == transport && c.Address == address);
        var server = new IPEndPoint(IPAddress.Parse(candidate.Address), candidate.Port);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        IDatagramEnd end = transport == "udp" ? new UdpSocketEnd(server) : await TcpFramedEnd.ConnectAsync(server);
        using var engine = new FullIceClientEngine(end, server, client.Ice, new IceCredentials(section.IceUfrag!, section.IcePwd!),
            client.Certificate, new CertificateFingerprint(section.Fingerprint!.Algorithm, section.Fingerprint.Value), new DtlsSrtpSettings());
        try
        {
            _ = engine.RunAsync(TimeSpan.FromMilliseconds(200), cancel.Token);
            IPEndPoint mapped = await engine.BindingSucceeded.WaitAsync(cancel.Token);
            using var consent = new CancellationTokenSource();
            _ = engine.KeepConsentAsync(TimeSpan.FromMilliseconds(500), consent.Token);
            Assert.Equal(IPAddress.Parse(address), mapped.Address); // XOR-MAPPED-ADDRESS: the client as the server saw it
            SrtpKeyingMaterial keys = await engine.Connected.Task.WaitAsync(cancel.Token);
            Assert.Equal(SrtpProfile.AeadAes128Gcm, keys.Profile);
            // The client finishes its handshake first; what it sends before the server has its keys is held (64 packets).
            await ReceivedPackets.Until(() => offer.Peer!.IsConnected, cancel.Token, () => "server not connected");


            var payloads = new List<byte[]>();
            for (int i = 0; i < 200; i++)
            {
                byte[] payload = RandomNumberGenerator.GetBytes(100 + i);
                payloads.Add(payload);
                engine.SendRtp(Packets.Rtp((ushort)(65_500 + i), (uint)(i * 960), ClientSsrc, payload));
                // Paced like a real sender: a burst of 200 echoed datagrams can overflow a default socket buffer on loopback.
                if (i % 10 == 9) await Task.Delay(2, cancel.Token);
            }
            engine.SendRtcp(Packets.RtcpSenderReport(ClientSsrc, 0xE800_0000_0000_0000, 960, 200, 40_000));
            engine.SendRtcp(Pli(mediaSsrc: echoedSsrc));

            await ReceivedPackets.Until(() => engine.ReceivedRtp.Count >= 200 && ReceivedPackets.Rtcp(engine).Any(ReceivedPackets.IsPli) && ReceivedPackets.Rtcp(engine).Any(IsSenderReport), cancel.Token,
                () => $"{engine.ReceivedRtp.Count} RTP, RTCP types {string.Join(",", ReceivedPackets.Rtcp(engine).Select(p => p[1]))}; server {EchoStatus.Of(offer.Session!, offer.Peer!)}");
            var echoed = engine.ReceivedRtp.ToArray();
            Assert.All(echoed, r => Assert.Equal(SrtpResult.Ok, r.Result));
            for (int i = 0; i < 200; i++)
            {
                Assert.True(RtpPacket.TryParse(echoed[i].Packet, out var rtp));
                Assert.Equal(echoedSsrc, rtp.Ssrc);
                Assert.Equal((ushort)(65_500 + i), rtp.SequenceNumber); // across the wrap, in order
                Assert.Equal(payloads[i], rtp.Payload.ToArray());
            }
            byte[] pli = ReceivedPackets.Rtcp(engine).First(ReceivedPackets.IsPli);
            Assert.Equal(ClientSsrc, BinaryPrimitives.ReadUInt32BigEndian(pli.AsSpan(8))); // aimed at the stream the client sends
            byte[] sr = ReceivedPackets.Rtcp(engine).First(IsSenderReport);
            Assert.Equal(echoedSsrc, BinaryPrimitives.ReadUInt32BigEndian(sr.AsSpan(4)));

            var status = EchoStatus.Of(offer.Session!, offer.Peer!);
            Assert.Equal("connected", status.State);
            Assert.StartsWith(transport, status.Path);
            Assert.True(status.PacketsEchoed >= 200);

            // The client closes (close_notify): the host lets the peer go at once.
            consent.Cancel();
            engine.Dtls.Close();
            await ReceivedPackets.Until(() => _host.Peers.Count == 0, cancel.Token, () => $"peer still held: {offer.Peer!.CloseReason}");
            Assert.Null(_echo.Find(offer.Session!.Id));
            Assert.Equal("DTLS session closed by the peer", offer.Peer!.CloseReason);
        }
        finally
        {
            (end as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public async Task A_nomination_from_a_forged_source_does_not_move_the_media_there()
    {
        var client = new ClientIdentity();
        EchoOfferResult offer = _echo.Offer(client.Offer());
        var section = SessionDescription.Parse(offer.Answer!).Media[0];
        var serverIce = new IceCredentials(section.IceUfrag!, section.IcePwd!);
        IceCandidate candidate = section.Candidates.Single(c => c.Transport == "udp" && c.Address == "127.0.0.1");
        var server = new IPEndPoint(IPAddress.Loopback, candidate.Port);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var end = new UdpSocketEnd(server);
        using var engine = new FullIceClientEngine(end, server, client.Ice, serverIce, client.Certificate,
            new CertificateFingerprint(section.Fingerprint!.Algorithm, section.Fingerprint.Value), new DtlsSrtpSettings());
        _ = engine.RunAsync(TimeSpan.FromMilliseconds(200), cancel.Token);
        await engine.Connected.Task.WaitAsync(cancel.Token);
        await ReceivedPackets.Until(() => offer.Peer!.IsConnected, cancel.Token, () => "server not connected");

        // The participant forges its source: a good, nominating check from an address it does not receive at (a victim).
        using var victim = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        victim.Bind(new IPEndPoint(IPAddress.Parse("127.0.1.7"), 0));
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, new(StunMethod.Binding, StunClass.Request), RandomNumberGenerator.GetBytes(12));
        writer.AddString(StunAttributeType.Username, $"{serverIce.Ufrag}:{client.Ice.Ufrag}");
        writer.AddUInt32(StunAttributeType.Priority, 0x6E00_1EFF);
        writer.AddUInt64(StunAttributeType.IceControlling, 7);
        writer.AddEmpty(StunAttributeType.UseCandidate);
        writer.AddMessageIntegrity(Encoding.UTF8.GetBytes(serverIce.Password));
        writer.AddFingerprint();
        victim.SendTo(buffer.AsSpan(0, writer.Length), server);

        for (int i = 0; i < 50; i++)
        {
            engine.SendRtp(Packets.Rtp((ushort)(100 + i), (uint)(i * 960), ClientSsrc, new byte[100]));
            await Task.Delay(20, cancel.Token);
        }
        await ReceivedPackets.Until(() => engine.ReceivedRtp.Count >= 50, cancel.Token, () => $"{engine.ReceivedRtp.Count} of 50 echoed to the real address");

        // The victim got the check's answer and this side's checks (five at most, unanswered), never media.
        var kinds = new List<byte>();
        victim.ReceiveTimeout = 300;
        var datagram = new byte[1500];
        try
        {
            while (true)
            {
                victim.Receive(datagram);
                kinds.Add(datagram[0]);
            }
        }
        catch (SocketException)
        {
        }
        Assert.InRange(kinds.Count, 2, 1 + 5);
        Assert.All(kinds, first => Assert.True(first < 2, $"a datagram starting {first} is not STUN")); // RFC 7983: STUN is 0-3
        Assert.StartsWith("udp 127.0.0.1", EchoStatus.Of(offer.Session!, offer.Peer!).Path);
    }

    [Fact]
    public async Task Silent_peer_is_dropped_when_consent_lapses()
    {
        var client = new ClientIdentity();
        EchoOfferResult offer = _echo.Offer(client.Offer());
        Assert.Single(_host.Peers);
        await ReceivedPackets.Until(() => _host.Peers.Count == 0, new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        Assert.Equal("ICE consent expired", offer.Session!.ClosedReason);
    }

    private static bool IsSenderReport(byte[] rtcp) => rtcp[1] == (byte)RtcpPacketType.SenderReport;

    private static byte[] Pli(uint mediaSsrc)
    {
        var buffer = new byte[12];
        PictureLossIndication.Write(buffer, 0x9999, mediaSsrc);
        return buffer;
    }

    /// <summary>The client's ICE credentials and certificate, and an audio-only offer carrying them.</summary>
    private sealed class ClientIdentity
    {
        public IceCredentials Ice { get; } = IceCredentials.Generate();
        public DtlsCertificate Certificate { get; } = DtlsCertificate.Create("client");

        public string Offer() => string.Join("\r\n",
            "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0", "a=msid-semantic: WMS *",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", $"a=ice-ufrag:{Ice.Ufrag}", $"a=ice-pwd:{Ice.Password}",
            $"a=fingerprint:{Certificate.Fingerprint}", "a=setup:actpass", "a=mid:0", "a=sendrecv", "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2", $"a=ssrc:{ClientSsrc} cname:client", "");
    }
}
