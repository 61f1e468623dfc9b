using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchboard.Dtls;
using Switchboard.Media.Contracts;
using Switchboard.Media.Sfu;
using Switchboard.Media.Tests.Session;
using Switchboard.Media.Tests.Support;
using Switchboard.Media.Transport;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;
using Switchboard.Protocols.Sdp;
using Switchboard.Protocols.Srtp;

namespace Switchboard.Media.Tests.Sfu;

/// <summary>
/// The SFU on the real media host and loopback sockets with the tests' own WebRTC client (full ICE, DTLS, SRTP) as
/// publisher and subscriber: a subscriber gets the publisher's video from a keyframe on, in its own SSRC and continuous
/// numbering; sender reports reach it in its numbers and its receiver reports give the round trip; its NACK is answered
/// with RTX; leaving and the limits behave as docs/signaling.md says. What depends on time (throttles, layer choice,
/// speakers, limits over time) is tested in simulated time (<see cref="Simulation.SfuHarness"/>).
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "xUnit v2 disposes a test class through IAsyncLifetime.DisposeAsync, which CA1001 does not count")]
public sealed class SfuRoutingTests : IAsyncLifetime
{
    private const uint AudioSsrc = 0x0A0A_0001, VideoSsrc = 0x0B0B_0001, VideoRtxSsrc = 0x0B0B_0002;

    private readonly MediaTransportHost _host = new(Options.Create(new MediaOptions { UdpPort = 0, TcpPort = -1, AnnouncedAddresses = ["127.0.0.1"] }),
        NullLogger<MediaTransportHost>.Instance);
    private SfuService _sfu = null!;
    private readonly List<string> _tracksChanged = [];
    private readonly List<IDisposable> _disposables = [];

    public Task InitializeAsync()
    {
        _sfu = new SfuService(_host, Options.Create(new MediaOptions { Sfu = { MaxPublishersPerRoom = 1, MaxSubscriptionsPerParticipant = 4 } }),
            NullLogger<SfuService>.Instance);
        _sfu.TracksChanged += room => { lock (_tracksChanged) _tracksChanged.Add(room); };
        return _host.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables) disposable.Dispose();
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }

    [Fact]
    public async Task Subscriber_receives_video_from_a_keyframe_in_its_own_numbering_and_nacks_are_answered_with_rtx()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var publisher = new Client();
        var published = _sfu.Offer("room", "p_pub", new MediaOffer(publisher.PublishOffer(),
            [new OfferedTrack("0", TrackSource.Microphone), new OfferedTrack("1", TrackSource.Camera)], [], true, true));
        Assert.True(published.AnswerSdp is not null, published.Message);
        Assert.Equal(["p_pub/camera", "p_pub/microphone"], _sfu.Tracks("room").Select(t => t.Id));
        var pub = await ConnectAsync(publisher, published.AnswerSdp!, cancel.Token);

        var subscriber = new Client();
        var subscribed = _sfu.Offer("room", "p_sub", new MediaOffer(subscriber.SubscribeOffer(),
            [], [new WantedTrack("0", "p_pub/microphone"), new WantedTrack("1", "p_pub/camera")], true, true));
        Assert.True(subscribed.AnswerSdp is not null, subscribed.Message);
        var answer = SessionDescription.Parse(subscribed.AnswerSdp!);
        Assert.Equal("sendonly", answer.Media[1].Direction);
        uint videoOut = answer.Media[1].SsrcGroups.Single(g => g.Semantics == "FID").Ssrcs[0];
        uint rtxOut = answer.Media[1].SsrcGroups.Single(g => g.Semantics == "FID").Ssrcs[1];
        Assert.Contains("a=msid:p_pub p_pub/camera", subscribed.AnswerSdp);
        var sub = await ConnectAsync(subscriber, subscribed.AnswerSdp!, cancel.Token);

        // The new subscriber makes the SFU ask the publisher for a keyframe.
        await ReceivedPackets.Until(() => ReceivedPackets.Rtcp(pub).Any(p => ReceivedPackets.IsPli(p) && MediaSsrc(p) == VideoSsrc), cancel.Token, () => "no PLI at the publisher");

        // Delta frames before the keyframe are not forwarded: the subscriber could not decode them.
        ushort sequence = 40_000;
        for (int i = 0; i < 5; i++) pub.SendRtp(Video(sequence++, 1000, DeltaFrame));
        for (int frame = 0; frame < 20; frame++)
        {
            pub.SendRtp(Video(sequence++, (uint)(10_000 + 3000 * frame), frame == 0 ? Keyframe : DeltaFrame));
            await Task.Delay(5, cancel.Token);
        }
        await ReceivedPackets.Until(() => Rtp(sub, videoOut).Count >= 20, cancel.Token, () => $"{Rtp(sub, videoOut).Count} video packets at the subscriber");
        var received = Rtp(sub, videoOut);
        Assert.Equal(20, received.Count);
        Assert.True(KeyframeDetector.IsKeyframeStart(VideoCodec.Vp8, Payload(received[0])));
        for (int i = 1; i < received.Count; i++)
        {
            Assert.Equal((ushort)(Packets.Sequence(received[i - 1]) + 1), Packets.Sequence(received[i]));
            Assert.Equal(3000u, Timestamp(received[i]) - Timestamp(received[i - 1]));
        }

        // The publisher's sender report reaches the subscriber in the subscriber's stream's numbers (for lip sync); the
        // subscriber's receiver report on it gives the SFU the round trip.
        pub.SendRtcp(Packets.RtcpSenderReport(VideoSsrc, 0xE800_0001_0002_0000, 10_000 + 3000 * 19, 20, 200));
        await ReceivedPackets.Until(() => ReceivedPackets.Rtcp(sub).Any(p => p[1] == (byte)RtcpPacketType.SenderReport), cancel.Token, () => "no SR at the subscriber");
        byte[] report = ReceivedPackets.Rtcp(sub).First(p => p[1] == (byte)RtcpPacketType.SenderReport);
        Assert.Equal(videoOut, BinaryPrimitives.ReadUInt32BigEndian(report.AsSpan(4)));
        Assert.Equal(0xE800_0001_0002_0000, BinaryPrimitives.ReadUInt64BigEndian(report.AsSpan(8)));
        Assert.Equal(Timestamp(received[^1]), BinaryPrimitives.ReadUInt32BigEndian(report.AsSpan(16)));
        await Task.Delay(30, cancel.Token);
        var rr = new byte[64];
        int rrLength = new ReceiverReport(0x5151, [new ReportBlock(videoOut, 0, 0, 0, 0, 0x0001_0002, 0)]).Write(rr);
        sub.SendRtcp(rr[..rrLength]);
        await ReceivedPackets.Until(() => _host.Peers.Any(p => p.Statistics.RoundTripMillis >= 30), cancel.Token, () => "no round trip");

        // The subscriber lost its 4th packet: the NACK is answered with RTX carrying it (RFC 4588).
        ushort lost = Packets.Sequence(received[3]);
        var nack = new byte[16];
        GenericNack.Write(nack, 0x5151, videoOut, [lost]);
        sub.SendRtcp(nack);
        await ReceivedPackets.Until(() => Rtp(sub, rtxOut).Count >= 1, cancel.Token, () => "no RTX");
        byte[] rtx = Rtp(sub, rtxOut)[0];
        Assert.True(RtpPacket.TryParse(rtx, out var repaired));
        Assert.Equal(lost, BinaryPrimitives.ReadUInt16BigEndian(repaired.Payload));
        Assert.Equal(Payload(received[3]), repaired.Payload[2..].ToArray());

        // The publisher leaves: its tracks go, the room is empty of tracks.
        _sfu.Leave("room", "p_pub");
        Assert.Empty(_sfu.Tracks("room"));
        lock (_tracksChanged) Assert.True(_tracksChanged.Count >= 2);
    }

    [Fact]
    public async Task A_subscriber_flooding_nacks_and_forged_feedback_gets_a_bounded_answer_and_the_other_subscriber_every_packet()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var publisher = new Client();
        var published = _sfu.Offer("storm", "p_pub", new MediaOffer(publisher.PublishOffer(), [new OfferedTrack("1", TrackSource.Camera)], [], true, true));
        var pub = await ConnectAsync(publisher, published.AnswerSdp!, cancel.Token);
        async Task<(FullIceClientEngine Engine, uint Video, uint Rtx)> SubscribeAsync(string id)
        {
            var client = new Client();
            string answer = _sfu.Offer("storm", id, new MediaOffer(client.SubscribeOffer(), [], [new WantedTrack("1", "p_pub/camera")], true, true)).AnswerSdp!;
            var group = SessionDescription.Parse(answer).Media[1].SsrcGroups.Single(g => g.Semantics == "FID");
            return (await ConnectAsync(client, answer, cancel.Token), group.Ssrcs[0], group.Ssrcs[1]);
        }
        var attacker = await SubscribeAsync("p_mallory");
        var bystander = await SubscribeAsync("p_bob");

        // 300 packets of about 1 KB, a keyframe first; after each 30, the attacker asks for all of the last 2,000
        // sequence numbers (BLP 0xFFFF) ten times over in one datagram, and sends feedback claiming 8,191 packets.
        ushort sequence = 1000;
        var payload = new byte[1000];
        Keyframe.CopyTo(payload, 0);
        pub.SendRtp(Video(sequence++, 0, payload));
        DeltaFrame.CopyTo(payload, 0);
        var storm = new byte[1400];
        for (int i = 1; i < 300; i++)
        {
            pub.SendRtp(Video(sequence++, (uint)(3000 * i), payload));
            if (i % 30 != 0) continue;
            await Task.Delay(20, cancel.Token);
            var received = Rtp(attacker.Engine, attacker.Video);
            if (received.Count == 0) continue;
            ushort newest = Packets.Sequence(received[^1]);
            var lost = Enumerable.Range(0, 2000).Select(k => (ushort)(newest - 1999 + k)).ToArray();
            int length = 0;
            for (int copy = 0; copy < 10; copy++)
                for (int chunk = 0; chunk < lost.Length && length + 100 < storm.Length - 40; chunk += 17 * 4)
                    length += GenericNack.Write(storm.AsSpan(length), 0x6666, attacker.Video, lost.AsSpan(chunk, Math.Min(17 * 4, lost.Length - chunk)));
            length += FeedbackPacket.WriteHeader(storm.AsSpan(length), RtcpPacketType.TransportFeedback, TransportFeedback.Format, 0x6666, attacker.Video, 12);
            storm.AsSpan(length - 12, 12).Clear();
            (storm[length - 10], storm[length - 9], storm[length - 4], storm[length - 3]) = (0x1F, 0xFF, 0x1F, 0xFF); // 8,191 statuses, one run
            attacker.Engine.SendRtcp(storm.AsSpan(0, length).ToArray());
            await Task.Delay(10, cancel.Token);
        }
        await ReceivedPackets.Until(() => Rtp(bystander.Engine, bystander.Video).Count >= 300, cancel.Token,
            () => $"{Rtp(bystander.Engine, bystander.Video).Count} of 300 packets at the bystander");
        await Task.Delay(200, cancel.Token);

        int media = Rtp(attacker.Engine, attacker.Video).Count, resent = Rtp(attacker.Engine, attacker.Rtx).Count;
        var attackerPeer = _host.Peers.Single(p => p.Statistics.FeedbackRefused > 0);
        // Asked for 10 x 2,000 packets ten times: each of the 300 at most four times again, and in bytes at most half
        // of what it was sent plus the 64 KiB burst.
        Assert.True(resent <= 4 * media, $"{resent} retransmissions of {media} packets");
        Assert.True(resent * 1000 <= media * 1000 / 2 + 64 * 1024 + 4000, $"{resent} retransmissions of {media} packets");
        Assert.True(attackerPeer.Statistics.FeedbackRefused >= 9 * 2000, $"{attackerPeer.Statistics.FeedbackRefused} refused");
        Assert.Equal(300, Rtp(bystander.Engine, bystander.Video).Count);
        Assert.Empty(Rtp(bystander.Engine, bystander.Rtx));
    }

    [Fact]
    public void Offers_beyond_the_limits_or_the_grants_are_refused_with_the_reason_and_change_nothing()
    {
        var first = _sfu.Offer("limits", "p_a", new MediaOffer(new Client().PublishOffer(), [new OfferedTrack("0", TrackSource.Microphone)], [], true, true));
        Assert.Equal(OfferRefusal.None, first.Refusal);
        var second = _sfu.Offer("limits", "p_b", new MediaOffer(new Client().PublishOffer(), [new OfferedTrack("0", TrackSource.Microphone)], [], true, true));
        Assert.Equal(OfferRefusal.TooManyPublishers, second.Refusal);
        Assert.Contains("Media:Sfu:MaxPublishersPerRoom", second.Message);
        Assert.Single(_sfu.Tracks("limits"));

        Assert.Equal(OfferRefusal.NotPermitted, _sfu.Offer("limits", "p_c", new MediaOffer(new Client().PublishOffer(),
            [new OfferedTrack("0", TrackSource.Microphone)], [], MayPublish: false, MaySubscribe: true)).Refusal);
        Assert.Equal(OfferRefusal.TooManySubscriptions, _sfu.Offer("limits", "p_c", new MediaOffer(new Client().SubscribeOffer(),
            [], Enumerable.Range(0, 5).Select(i => new WantedTrack(i.ToString(), "p_a/microphone")).ToList(), true, true)).Refusal);
        Assert.Equal(OfferRefusal.InvalidOffer, _sfu.Offer("limits", "p_c", new MediaOffer("v=0\r\nbad", [], [], true, true)).Refusal);
        var wrongKind = _sfu.Offer("limits", "p_c", new MediaOffer(new Client().PublishOffer(), [new OfferedTrack("0", TrackSource.Camera)], [], true, true));
        Assert.Equal(OfferRefusal.InvalidOffer, wrongKind.Refusal);
        Assert.Equal("mid '0' is audio, but camera is video", wrongKind.Message);
        Assert.Equal(OfferRefusal.InvalidOffer, _sfu.Offer("limits", "p_c", new MediaOffer(new Client().PublishOffer(),
            [new OfferedTrack("7", TrackSource.Microphone)], [], true, true)).Refusal);
        Assert.Single(_host.Peers);
    }

    /// <summary>One VP8 frame in one packet (payload type 96).</summary>
    private static byte[] Video(ushort sequence, uint timestamp, byte[] payload)
    {
        byte[] packet = Packets.Rtp(sequence, timestamp, VideoSsrc, payload, marker: true);
        RtpHeaderRewriter.SetPayloadType(packet, 96);
        return packet;
    }

    private static readonly byte[] Keyframe = [0x10, 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01, 1, 2, 3, 4];
    private static readonly byte[] DeltaFrame = [0x10, 0x51, 0x02, 0x00, 9, 9, 9, 9];

    private async Task<FullIceClientEngine> ConnectAsync(Client client, string answerSdp, CancellationToken cancel)
    {
        var engine = await LoopbackConnection.ConnectAsync(answerSdp, client.Ice, client.Certificate, _disposables, cancel);
        await ReceivedPackets.Until(() => _host.Peers.All(p => p.IsConnected), cancel, () => "server side not connected");
        return engine;
    }

    private static List<byte[]> Rtp(FullIceClientEngine engine, uint ssrc) =>
        engine.ReceivedRtp.Where(r => r.Result == SrtpResult.Ok && BinaryPrimitives.ReadUInt32BigEndian(r.Packet.AsSpan(8)) == ssrc).Select(r => r.Packet).ToList();

    private static uint MediaSsrc(byte[] rtcp) => BinaryPrimitives.ReadUInt32BigEndian(rtcp.AsSpan(8));
    private static uint Timestamp(byte[] rtp) => BinaryPrimitives.ReadUInt32BigEndian(rtp.AsSpan(4));
    private static byte[] Payload(byte[] rtp) => RtpPacket.TryParse(rtp, out var packet) ? packet.Payload.ToArray() : [];

    /// <summary>A client's ICE credentials and certificate, and its offers: one that publishes audio and VP8 video (with RTX), one that receives both.</summary>
    private sealed class Client
    {
        public IceCredentials Ice { get; } = IceCredentials.Generate();
        public DtlsCertificate Certificate { get; } = DtlsCertificate.Create("client");

        public string PublishOffer() => Offer("sendonly",
            [$"a=ssrc:{AudioSsrc} cname:client"],
            [$"a=ssrc-group:FID {VideoSsrc} {VideoRtxSsrc}", $"a=ssrc:{VideoSsrc} cname:client", $"a=ssrc:{VideoRtxSsrc} cname:client"]);

        public string SubscribeOffer() => Offer("recvonly", [], []);

        private string Offer(string direction, string[] audioSsrcs, string[] videoSsrcs) => string.Join("\r\n", [
            "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1", "a=msid-semantic: WMS *",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", .. Transport("0"), $"a={direction}", "a=rtcp-mux",
            "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level", "a=rtpmap:111 opus/48000/2", .. audioSsrcs,
            "m=video 9 UDP/TLS/RTP/SAVPF 96 97", "c=IN IP4 0.0.0.0", .. Transport("1"), $"a={direction}", "a=rtcp-mux",
            "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96", .. videoSsrcs, ""]);

        private string[] Transport(string mid) =>
            [$"a=ice-ufrag:{Ice.Ufrag}", $"a=ice-pwd:{Ice.Password}", $"a=fingerprint:{Certificate.Fingerprint}", "a=setup:actpass", $"a=mid:{mid}"];
    }
}
