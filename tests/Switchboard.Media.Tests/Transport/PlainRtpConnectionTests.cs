using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Switchboard.Media.Gateway;
using Switchboard.Media.Peers;
using Switchboard.Protocols.Sdp;

namespace Switchboard.Media.Tests.Transport;

/// <summary>
/// A gateway's plain RTP connection on real loopback sockets: an encoder's packets reach the SFU under the SSRCs the
/// offer signalled, whatever SSRC it chose; hostile datagrams (truncated, not RTP version 2, an unknown payload type,
/// from another host than the one latched) are counted and dropped without ending the receive loop; and what the SFU
/// sends goes to the receiver that each payload type's section names.
/// </summary>
public sealed class PlainRtpConnectionTests
{
    private const uint SignalledVideo = 0x11111111, SignalledAudio = 0x22222222;

    private sealed class RecordingHandler : IMediaPeerHandler
    {
        public readonly BlockingCollection<(bool Rtcp, byte[] Packet)> Received = [];
        public void OnConnected(IMediaConnection connection) { }
        public void OnRtp(IMediaConnection connection, Span<byte> buffer, int length, long nowMillis) => Received.Add((false, buffer[..length].ToArray()));
        public void OnRtcp(IMediaConnection connection, Span<byte> buffer, int length, long nowMillis) => Received.Add((true, buffer[..length].ToArray()));
        public void OnSctp(IMediaConnection connection, byte[] packet, long nowMillis) { }
        public long OnTimer(IMediaConnection connection, long nowMillis) => nowMillis + 1000;
        public void OnClosed(IMediaConnection connection, string reason) { }
    }

    private static (PlainRtpConnection Connection, RecordingHandler Handler, IPEndPoint Local) Start(string sdp)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var handler = new RecordingHandler();
        var connection = new PlainRtpConnection("test", socket, handler, PlainRtpRoutes.Read(SessionDescription.Parse(sdp)), null, TimeSpan.Zero);
        new Thread(() => connection.ReceiveLoop(TimeProvider.System)) { IsBackground = true }.Start();
        return (connection, handler, (IPEndPoint)socket.LocalEndPoint!);
    }

    private static byte[] Rtp(byte payloadType, uint ssrc, ushort sequence, int payloadBytes = 20)
    {
        var packet = new byte[12 + payloadBytes];
        packet[0] = 0x80;
        packet[1] = payloadType;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        return packet;
    }

    private const string IngestOffer = """
        v=0
        o=- 0 0 IN IP4 0.0.0.0
        s=gateway
        t=0 0
        a=group:BUNDLE 0 1
        m=video 9 RTP/AVP 96
        c=IN IP4 0.0.0.0
        a=rtpmap:96 VP8/90000
        a=rtcp-mux
        a=mid:0
        a=sendonly
        a=ssrc:286331153 cname:gateway
        m=audio 9 RTP/AVP 111
        c=IN IP4 0.0.0.0
        a=rtpmap:111 opus/48000/2
        a=rtcp-mux
        a=mid:1
        a=sendonly
        a=ssrc:572662306 cname:gateway

        """;

    [Fact]
    public void An_encoders_packets_arrive_under_the_signalled_SSRCs_and_hostile_datagrams_are_dropped_without_ending_the_loop()
    {
        var (connection, handler, local) = Start(IngestOffer.ReplaceLineEndings("\r\n"));
        using var encoder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        encoder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        stranger.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));

        encoder.SendTo(Rtp(96, 0xCAFE, 1), local); // latches the encoder's address
        Assert.True(handler.Received.TryTake(out var first, TimeSpan.FromSeconds(5)));
        Assert.Equal(SignalledVideo, BinaryPrimitives.ReadUInt32BigEndian(first.Packet.AsSpan(8)));

        byte[][] hostile =
        [
            [0x80], // truncated
            new byte[11],
            [0x40, .. Rtp(96, 0xCAFE, 2)[1..]], // RTP version 1
            Rtp(100, 0xCAFE, 3), // a payload type the offer does not have
            new byte[1500], // zeros: version 0
        ];
        foreach (byte[] datagram in hostile) encoder.SendTo(datagram, local);
        stranger.SendTo(Rtp(96, 0xBEEF, 4), local); // another host, once the encoder is latched

        // An audio packet from another port of the same host (ffmpeg sends each stream from a socket of its own), and its sender report.
        using var audioSocket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        audioSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        audioSocket.SendTo(Rtp(111, 0xABCD, 1), local);
        var report = new byte[28];
        report[0] = 0x80;
        report[1] = 200; // SR
        BinaryPrimitives.WriteUInt16BigEndian(report.AsSpan(2), 6);
        BinaryPrimitives.WriteUInt32BigEndian(report.AsSpan(4), 0xABCD);
        audioSocket.SendTo(report, local);

        Assert.True(handler.Received.TryTake(out var audio, TimeSpan.FromSeconds(5)));
        Assert.False(audio.Rtcp);
        Assert.Equal(SignalledAudio, BinaryPrimitives.ReadUInt32BigEndian(audio.Packet.AsSpan(8)));
        Assert.True(handler.Received.TryTake(out var rtcp, TimeSpan.FromSeconds(5)));
        Assert.True(rtcp.Rtcp);
        Assert.Equal(SignalledAudio, BinaryPrimitives.ReadUInt32BigEndian(rtcp.Packet.AsSpan(4)));
        Assert.Equal(hostile.Length + 1, Interlocked.Read(ref connection.Statistics.PacketsDiscarded));
        Assert.Empty(handler.Received);
        connection.Close("test over");
    }

    [Fact]
    public void What_the_SFU_sends_goes_to_the_receiver_of_each_payload_type_and_key_frames_are_asked_for_it()
    {
        using var videoReceiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        videoReceiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var audioReceiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        audioReceiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int videoPort = ((IPEndPoint)videoReceiver.LocalEndPoint!).Port, audioPort = ((IPEndPoint)audioReceiver.LocalEndPoint!).Port;
        var (connection, handler, _) = Start($"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=out\r\nt=0 0\r\nc=IN IP4 127.0.0.1\r\n" +
            $"m=video {videoPort} RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=rtcp-mux\r\na=mid:0\r\na=recvonly\r\n" +
            $"m=audio {audioPort} RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\na=rtcp-mux\r\na=mid:1\r\na=recvonly\r\n");

        byte[] video = Rtp(96, 0x1234, 7), audio = Rtp(111, 0x5678, 9);
        Assert.True(connection.SendRtp(video.Concat(new byte[MediaPeer.ProtectionOverhead]).ToArray(), video.Length));
        Assert.True(connection.SendRtp(audio.Concat(new byte[MediaPeer.ProtectionOverhead]).ToArray(), audio.Length));
        var buffer = new byte[1500];
        videoReceiver.ReceiveTimeout = audioReceiver.ReceiveTimeout = 5000;
        Assert.Equal(video, buffer[..videoReceiver.Receive(buffer)]);
        Assert.Equal(audio, buffer[..audioReceiver.Receive(buffer)]);

        // A picture loss indication for the video stream it sends, as its receiver would ask.
        connection.RequestKeyFrames(0);
        Assert.True(handler.Received.TryTake(out var pli, TimeSpan.FromSeconds(1)));
        Assert.True(pli.Rtcp);
        Assert.Equal((206, 1), (pli.Packet[1], pli.Packet[0] & 0x1F));
        Assert.Equal(0x1234u, BinaryPrimitives.ReadUInt32BigEndian(pli.Packet.AsSpan(8)));
        Assert.False(handler.Received.TryTake(out _, TimeSpan.FromMilliseconds(100)));
        connection.Close("test over");
    }
}
