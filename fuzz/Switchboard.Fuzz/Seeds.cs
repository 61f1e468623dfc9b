using System.Buffers.Binary;
using System.Net;
using System.Text;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;
using Switchboard.Protocols.Srtp;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Fuzz;

/// <summary>
/// The seed inputs of fuzz/corpus, written by <c>Switchboard.Fuzz --write-seeds fuzz/corpus</c> from the repository root:
/// the byte arrays of the parsers' unit tests (RFC 5769's vectors, Chromium-like packets, the transport-wide CC draft's
/// examples, the payload descriptors of KeyframeDetectorTests), packets made with the project's own writers, and the
/// captured SDP offers and the sample turnserver.conf of the test projects. Files already in the corpus (regression
/// inputs, interesting finds) are left alone.
/// </summary>
public static class Seeds
{
    static readonly byte[] TransactionId = Convert.FromHexString("0102030405060708090a0b0c");

    public static int Write(string corpus)
    {
        int written = 0;
        void Add(string target, string name, ReadOnlySpan<byte> bytes)
        {
            var folder = Path.Combine(corpus, target);
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, name), bytes.ToArray());
            written++;
        }
        void AddText(string target, string name, string text) => Add(target, name, Encoding.UTF8.GetBytes(text));
        void AddHex(string target, string name, string hex) => Add(target, name, Convert.FromHexString(hex));

        // STUN and TURN (Rfc5769VectorTests, StunCodecTests).
        foreach (var (name, bytes) in StunSeeds()) Add("stun", name, bytes);

        // ChannelData (ChannelDataTests) and TCP streams of STUN and ChannelData messages.
        var channelData = new byte[16];
        Add("channeldata", "datagram-5-bytes", channelData.AsSpan(0, ChannelData.Write(channelData, 0x4001, "hello"u8, stream: false)));
        Add("channeldata", "stream-5-bytes-padded", channelData.AsSpan(0, ChannelData.Write(channelData, 0x4001, "hello"u8, stream: true)));
        Add("channeldata", "rfc5766-channel-7fff", channelData.AsSpan(0, ChannelData.Write(channelData, 0x7FFF, [], stream: false)));
        AddHex("channeldata", "channel-below-range", "3fff0000");
        AddHex("channeldata", "length-past-end", "40000005aabb");
        var stream = new List<byte>();
        stream.AddRange(channelData.AsSpan(0, ChannelData.Write(channelData, 0x4001, "hello"u8, stream: true)).ToArray());
        stream.AddRange(Rfc5769SampleRequest);
        stream.AddRange(channelData.AsSpan(0, ChannelData.Write(channelData, 0x4002, [1, 2, 3, 4], stream: true)).ToArray());
        stream.AddRange(Rfc5769SampleRequest.AsSpan(0, 30).ToArray());
        Add("channeldata", "stream-channeldata-stun-partial", stream.ToArray());

        // RTP (RtpPacketTests, RtxPacketTests).
        foreach (var (name, bytes) in RtpSeeds()) Add("rtp", name, bytes);

        // RTCP (RtcpTests, TransportFeedbackTests).
        foreach (var (name, bytes) in RtcpSeeds()) Add("rtcp", name, bytes);

        // SRTP: RTP and RTCP seeds protected with the target's keys in both profiles (first byte 0 and 1: unprotected by the
        // target), and the same packets in the clear for the target's round trips (first byte 2 and 3).
        foreach (var profile in new[] { SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm })
        {
            using var context = new SrtpContext(profile, SrtpTarget.MasterKey, SrtpTarget.MasterSalt.AsSpan(0, profile.MasterSaltLength()));
            string suffix = profile == SrtpProfile.AeadAes128Gcm ? "gcm" : "cm";
            foreach (var (name, bytes) in RtpSeeds().Take(3))
            {
                var buffer = new byte[bytes.Length + profile.RtcpOverhead()];
                bytes.CopyTo(buffer, 0);
                if (context.ProtectRtp(buffer, bytes.Length, out int length) == SrtpResult.Ok) Add("srtp", $"srtp-{suffix}-{name}", [0, .. buffer.AsSpan(0, length)]);
            }
            foreach (var (name, bytes) in RtcpSeeds().Take(3))
            {
                var buffer = new byte[bytes.Length + profile.RtcpOverhead()];
                bytes.CopyTo(buffer, 0);
                if (context.ProtectRtcp(buffer, bytes.Length, out int length) == SrtpResult.Ok) Add("srtp", $"srtcp-{suffix}-{name}", [1, .. buffer.AsSpan(0, length)]);
            }
        }
        Add("srtp", "round-trip-rtp-chromium", [2, .. ChromiumRtp]);
        Add("srtp", "round-trip-rtcp-sr-sdes-remb", [3, .. RtcpSeeds().First().Bytes]);

        // ICE-TCP: RFC 4571 frames of STUN, RTP, RTCP and DTLS, an empty frame, and a frame cut short.
        var framed = new List<byte>();
        void Frame(ReadOnlySpan<byte> frame)
        {
            Span<byte> header = stackalloc byte[Rfc4571Framing.HeaderLength];
            Rfc4571Framing.TryWriteHeader(header, frame.Length);
            framed.AddRange(header.ToArray());
            framed.AddRange(frame.ToArray());
        }
        Frame(Rfc5769SampleRequest);
        Frame(ChromiumRtp);
        Frame([]);
        Frame(RtcpSeeds().First().Bytes);
        Frame(Convert.FromHexString("16fefd000000000000000000100100000400000000000000")); // a DTLS record header
        Add("rfc4571", "stun-rtp-empty-rtcp-dtls", framed.ToArray());
        Add("rfc4571", "partial-frame", [0x00, 0x14, 0x00, 0x01]);

        // Payload descriptors (KeyframeDetectorTests, PictureIdFieldsTests).
        string[] vp8 = ["90802A" + "1002009D012A8002E001" + "00112233", "10" + "1002009D012A8002E001", "9080" + "812A" + "1002009D012A8002E001",
            "90F0" + "2A" + "05" + "40" + "1002009D012A8002E001", "9060" + "05" + "40" + "1002009D012A8002E001", "90802A" + "3102009D012A8002E001",
            "80802A" + "1002009D012A8002E001", "90E0" + "9234" + "07" + "40" + "10", "9040" + "09" + "10", "908092"];
        string[] vp9 = ["8A" + "8001" + "18" + "050002D0" + "01" + "04" + "01" + "824983", "B8" + "05" + "00" + "8249", "B8" + "05" + "02" + "8249",
            "A8" + "05" + "00" + "07" + "8249", "C8" + "05" + "8249", "0A" + "10" + "0500", "0A" + "08" + "02" + "04", "08" + "8249",
            "88" + "FFFF" + "82", "A8" + "05" + "00" + "C8" + "82", "B8" + "8005" + "00" + "82"];
        string[] h264 = ["6588840021", "6742C01F", "68CE3C80", "419A0012", "78" + "0004" + "6742C01F" + "0002" + "68CE" + "0003" + "658884",
            "78" + "0002" + "68CE" + "0003" + "06FF00", "78" + "0004" + "6742C01F" + "0009" + "68CE", "7C" + "85" + "888400", "7C" + "87" + "42C0",
            "7C" + "45" + "888400", "79" + "0004" + "6742C01F"];
        string[] av1 = ["18" + "0A0B000C", "08" + "02" + "0A0B", "28" + "01" + "12" + "0A0B0C", "08" + "03" + "0A0B", "08" + "80", "98" + "0A0B",
            "08" + "8101" + new string('0', 258)];
        foreach (var (target, payloads) in new[] { ("vp8", vp8), ("vp9", vp9), ("h264", h264), ("av1", av1) })
            for (int i = 0; i < payloads.Length; i++) AddHex(target, $"descriptor-{i:00}", payloads[i]);

        // Payload streams for the assembler: each codec's descriptors above as one-packet frames (marker, new timestamp,
        // the next sequence number), and a few frames of several packets, one out of order.
        var codecs = new[] { ("vp8", vp8, 1), ("vp9", vp9, 2), ("h264", h264, 4), ("av1", av1, 3) };
        foreach (var (name, payloads, codec) in codecs)
            Add("depacketizer", $"{name}-frames", [(byte)codec, .. payloads.SelectMany(hex => (byte[])[0x27, (byte)(hex.Length / 2), .. Convert.FromHexString(hex)])]);
        Add("depacketizer", "opus-reordered", [0, 0x27, 3, 0xF8, 0xFF, 0xFE, 0x2B, 3, 0xF8, 0xFF, 0xFE, 0x1B, 3, 0xF8, 0xFF, 0xFE]);
        Add("depacketizer", "h264-fu-a-reordered", [4, 0x26, 4, 0x7C, 0x85, 0x88, 0x84, 0x29, 3, 0x7C, 0x45, 0x11, 0x1C, 3, 0x7C, 0x05, 0x22]);

        // Data channels above SCTP (DcepMessageTests, SfuDataTests): DCEP messages and data bus frames.
        Add("datachannel", "dcep-open-reliable", Protocols.DataChannels.DcepMessage.WriteOpen("switchboard", "switchboard-data/1", Protocols.DataChannels.DataChannelReliability.Reliable));
        Add("datachannel", "dcep-open-lossy", Protocols.DataChannels.DcepMessage.WriteOpen("switchboard-lossy", "switchboard-data/1", Protocols.DataChannels.DataChannelReliability.Lossy));
        Add("datachannel", "dcep-open-timed", Protocols.DataChannels.DcepMessage.WriteOpen("t", "", new(Ordered: false, MaxLifetimeMillis: 500)));
        Add("datachannel", "dcep-ack", Protocols.DataChannels.DcepMessage.WriteAck());
        Add("datachannel", "frame-text-to-everyone", new Media.Sfu.Data.DataFrame(Media.Sfu.Data.DataFrameFlags.Text, "chat", [], "hello"u8.ToArray()).Write());
        Add("datachannel", "frame-binary-to-two", new Media.Sfu.Data.DataFrame(Media.Sfu.Data.DataFrameFlags.None, "cursor", ["p_a", "p_b"], new byte[] { 1, 2, 3 }).Write());
        Add("datachannel", "frame-payload-follows", new Media.Sfu.Data.DataFrame(Media.Sfu.Data.DataFrameFlags.PayloadFollows, "file", [], ReadOnlyMemory<byte>.Empty).Write());
        Add("datachannel", "frame-server-only-empty", new Media.Sfu.Data.DataFrame(Media.Sfu.Data.DataFrameFlags.ServerOnly, "", [], ReadOnlyMemory<byte>.Empty).Write());

        // SCTP: what a client sends an established association (SctpTarget's own pair, so the tags match): whole packets
        // (first byte 0), the same packets' chunks (1), and the handshake's packets for a new association (2).
        var sctp = SctpSeeds().ToList();
        foreach (var (name, bytes) in sctp)
        {
            Add("sctp", $"packet-{name}", [0, .. bytes]);
            Add("sctp", $"chunks-{name}", [1, .. bytes.AsSpan(Protocols.Sctp.SctpPacket.HeaderLength)]);
        }
        Add("sctp", "new-association-init", [2, .. sctp[0].Bytes.AsSpan(Protocols.Sctp.SctpPacket.HeaderLength)]);

        // SDP: the captured offers of the Protocols tests, and a small offer.
        const string sdpData = "tests/Switchboard.Protocols.Tests/Sdp/TestData";
        if (Directory.Exists(sdpData))
            foreach (var file in Directory.EnumerateFiles(sdpData, "*.sdp")) Add("sdp", Path.GetFileName(file), File.ReadAllBytes(file));
        else Console.Error.WriteLine($"Switchboard.Fuzz: {sdpData} not found (run from the repository root): its offers are not copied");
        AddText("sdp", "minimal-offer.sdp", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" +
            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n" +
            "a=fingerprint:sha-256 AB:CD\r\na=setup:actpass\r\na=rtcp-mux\r\na=sendrecv\r\na=rtpmap:111 opus/48000/2\r\n" +
            "a=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\na=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid\r\n");

        // Signaling frames: one of each type (docs/signaling.md, MessageReaderTests, MediaMessageTests).
        string[] frames =
        [
            """{"type":"join","id":"j1","room":"a.b-c_d","name":"Zoë","token":"x.y.z","state":{"audio":false},"extra":[1]}""",
            """{"type":"resume","resumeToken":"rt_0123","lastSeq":41}""",
            """{"type":"offer","id":"r","to":"p_abc","sdp":"v=0\r\n"}""",
            """{"type":"answer","to":"p_abc","sdp":"v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=recvonly\r\n"}""",
            """{"type":"candidate","to":"p_abc","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0"}}""",
            """{"type":"candidate","to":"p_abc","candidate":null}""",
            """{"type":"update","name":"Bob","state":{"video":true}}""",
            """{"type":"message","to":"p_abc","data":{"chat":"hi"}}""",
            """{"type":"message","data":[1,2,3]}""",
            """{"type":"leave"}""",
            """{"type":"ping","id":"p"}""",
            """{"type":"pong"}""",
            """{"type":"media-offer","sdp":"v=0\r\n","publish":[{"mid":"0","source":"microphone"},{"mid":"1","source":"camera","muted":true,"layers":[{"rid":"q","width":320,"height":180},{"rid":"h"},{"rid":"f","width":1280,"height":720}]}],"subscribe":[{"mid":"2","trackId":"p_x/camera"}]}""",
            """{"type":"mute","source":"camera","muted":true}""",
            """{"type":"track-settings","trackId":"p_x/camera","width":640,"height":360,"enabled":false}""",
            """{"type":"join","room":"r","name":"a\u0000b"}""",
            """{"type":"nope","id":"q"}""",
            """{"type":"stats","id":"s","ms":5000,"cand":"host","proto":"udp","rtt":12.5,"aob":2400,"in":{"kbps":812,"loss":0.0012,"jit":3.1},"out":{"kbps":950,"loss":0,"jit":2},"video":[{"track":"p_x/camera","fps":29.8,"w":640,"h":360,"frz":1,"frzMs":420}]}""",
        ];
        for (int i = 0; i < frames.Length; i++) AddText("signaling", $"frame-{i:00}.json", frames[i]);

        // Access tokens: a valid one (the target's key), garbage, and claims for the target to sign.
        var key = new ApiKey { Key = "fuzz", Secret = "fuzz-secret-that-is-long-enough-for-hs256" };
        var now = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        string token = AccessTokenCodec.Create(new AccessToken("alice", "Alice", "standup", Grants.Participant, now.AddHours(1), now.AddMinutes(-1)), key, now);
        Add("token", "valid-token", [0, .. Encoding.UTF8.GetBytes(token)]);
        Add("token", "garbage-token", [0, .. "not.a.jwt"u8]);
        Add("token", "signed-claims", [1, .. """{"sub":"bob","name":"Bob","room":"*","grants":{"join":true,"publish":false,"subscribe":true,"admin":false},"iat":1893456000,"nbf":1893455000,"exp":1893459600}"""u8]);
        Add("token", "signed-header-and-claims", [2, .. """{"alg":"HS256","kid":"fuzz"}"""u8, (byte)'\n', .. """{"sub":"carol","exp":1893459600,"grants":[]}"""u8]);

        // coturn: the sample file of the Server tests, and lines from CoturnTranslationTests.
        const string coturnData = "tests/Switchboard.Server.Tests/Coturn/TestData/turnserver.conf";
        if (File.Exists(coturnData)) Add("coturn", "turnserver.conf", File.ReadAllBytes(coturnData));
        else Console.Error.WriteLine($"Switchboard.Fuzz: {coturnData} not found (run from the repository root): it is not copied");
        AddText("coturn", "users-and-ranges.conf", "lt-cred-mech\nuser=alice:secret\nuser bob:0x1234abcd\nrealm = \"example.org\"\n" +
            "allowed-peer-ip=192.0.2.1-192.0.2.200\ndenied-peer-ip=::-ffff::\nrelay-ip=2001:db8::1\nexternal-ip=198.51.100.1\n" +
            "--no-udp\nno-tls=off\nstale-nonce\nmax-allocate-lifetime\nmax-bps=1000\nunknown-option=1;\n");

        Console.WriteLine($"Switchboard.Fuzz: wrote {written} seed files under {corpus}");
        return 0;
    }

    static readonly byte[] Rfc5769SampleRequest = Convert.FromHexString(
        "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e20746573742063" +
        "6c69656e74002400046e0001ff80290008932ff9b151263b36000600096576746a3a68" +
        "367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf");

    static readonly byte[] ChromiumRtp = Convert.FromHexString(
        "90E01234" + "00010203" + "CAFEBABE" + "BEDE0003" + "1030" + "310102" + "220A0B0C" + "000000" + "DEADBEEF");

    static IEnumerable<(string Name, byte[] Bytes)> SctpSeeds()
    {
        var pair = SctpTarget.Pair.Established();
        pair.Client.Send(1, 51, "hello"u8, default, pair.Now);
        pair.Client.Send(2, 53, new byte[3000], default, pair.Now);
        pair.Client.Send(3, 51, "unordered"u8, new Protocols.Sctp.SctpSendOptions(Unordered: true), pair.Now);
        pair.Client.Send(4, 53, new byte[100], new Protocols.Sctp.SctpSendOptions(MaxRetransmits: 0), pair.Now);
        pair.Server.Send(1, 51, "hi"u8, default, pair.Now);
        pair.Server.Send(1, 51, new byte[2500], default, pair.Now);
        pair.Pump();
        pair.Client.ResetStreams([1, 2], pair.Now);
        pair.Pump();
        pair.Client.Shutdown(pair.Now);
        for (int i = 0; i < 5; i++) pair.Pump();
        var packets = pair.ClientPackets;
        for (int i = 0; i < packets.Count; i++)
        {
            var types = string.Join("-", Protocols.Sctp.SctpPacket.TryParse(packets[i], out var parsed) ? ChunkNames(parsed) : ["bad"]);
            yield return ($"{i:00}-{types}", packets[i]);
        }
    }

    static List<string> ChunkNames(Protocols.Sctp.SctpPacket packet)
    {
        var names = new List<string>();
        foreach (var chunk in packet.Chunks) names.Add(chunk.Type.ToString().ToLowerInvariant());
        return names;
    }

    static IEnumerable<(string Name, byte[] Bytes)> StunSeeds()
    {
        // RFC 5769 §2.1-2.4.
        yield return ("rfc5769-2.1-sample-request", Rfc5769SampleRequest);
        yield return ("rfc5769-2.2-ipv4-response", Convert.FromHexString(
            "0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220" +
            "00200008" + "0001a147e112a643" + "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7" + "80280004c07d4c96"));
        yield return ("rfc5769-2.3-ipv6-response", Convert.FromHexString(
            "010100482112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220" +
            "00200014" + "0002a1470113a9faa5d3f179bc25f4b5bed2b9d9" +
            "00080014a382954e4be67bf11784c97c8292c275bfe3ed41" + "80280004c8fb0b4c"));
        yield return ("rfc5769-2.4-long-term-request", Convert.FromHexString(
            "000100602112a44278ad3433c6ad72c029da412e" +
            "00060012e3839ee38388e383aae38383e382afe382b90000" +
            "0015001c662f2f3439396b393534643" + "64f4c33346f4c39465354767936347341" +
            "0014000b6578616d706c652e6f726700" +
            "00080014f67024656dd64a3e02b8e0712e85c9a28ca89666"));

        var key = StunCredentials.LongTermKey("alice", "example.org", "secret");
        var buffer = new byte[1024];

        // Every attribute kind (StunCodecTests.AllAttributeKinds_RoundTrip).
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Allocate, StunClass.ErrorResponse), TransactionId);
        writer.AddXorAddress(StunAttributeType.XorMappedAddress, new IPEndPoint(IPAddress.Parse("203.0.113.7"), 5000));
        writer.AddXorAddress(StunAttributeType.XorRelayedAddress, new IPEndPoint(IPAddress.Parse("2001:db8::42"), 49152));
        writer.AddAddress(StunAttributeType.ResponseOrigin, new IPEndPoint(IPAddress.Parse("192.0.2.10"), 3478));
        writer.AddAddress(StunAttributeType.OtherAddress, new IPEndPoint(IPAddress.Parse("::1"), 3479));
        writer.AddErrorCode(StunErrorCode.AllocationQuotaReached);
        writer.AddAddressErrorCode(StunAddress.FamilyIPv6, StunErrorCode.InsufficientCapacity);
        writer.AddUnknownAttributes([0x0031, 0x0042, 0x0053]);
        writer.AddUInt32(StunAttributeType.Lifetime, 600);
        writer.AddUInt64(StunAttributeType.IceControlling, 0x0102030405060708);
        writer.AddEmpty(StunAttributeType.UseCandidate);
        writer.AddString(StunAttributeType.Realm, "example.org");
        writer.Add(StunAttributeType.PasswordAlgorithms, StunCredentials.EncodePasswordAlgorithms([StunPasswordAlgorithm.Md5, StunPasswordAlgorithm.Sha256]));
        writer.AddString(StunAttributeType.Software, "Switchboard test");
        writer.AddMessageIntegrity(key);
        writer.AddMessageIntegritySha256(key);
        writer.AddFingerprint();
        yield return ("all-attribute-kinds", writer.Written.ToArray());

        // A TURN Allocate request with long-term credentials.
        writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Allocate, StunClass.Request), TransactionId);
        var value = writer.Reserve(StunAttributeType.RequestedTransport, 4);
        TurnAttributes.WriteRequestedTransport(value, TurnAttributes.TransportUdp);
        writer.AddUInt32(StunAttributeType.Lifetime, 3600);
        writer.Add(StunAttributeType.RequestedAddressFamily, [TurnAttributes.FamilyIPv6, 0, 0, 0]);
        writer.Add(StunAttributeType.EvenPort, [0x80]);
        writer.AddEmpty(StunAttributeType.DontFragment);
        writer.AddString(StunAttributeType.Username, "alice");
        writer.AddString(StunAttributeType.Realm, "example.org");
        writer.AddString(StunAttributeType.Nonce, "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA");
        writer.Add(StunAttributeType.PasswordAlgorithm, [0, 1, 0, 0]);
        writer.AddMessageIntegrity(key);
        writer.AddFingerprint();
        yield return ("turn-allocate-request", writer.Written.ToArray());

        // ChannelBind, CreatePermission and a Send indication.
        writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.ChannelBind, StunClass.Request), TransactionId);
        value = writer.Reserve(StunAttributeType.ChannelNumber, 4);
        TurnAttributes.WriteChannelNumber(value, 0x4001);
        writer.AddXorAddress(StunAttributeType.XorPeerAddress, new IPEndPoint(IPAddress.Parse("198.51.100.20"), 40000));
        writer.Add(StunAttributeType.ReservationToken, [1, 2, 3, 4, 5, 6, 7, 8]);
        writer.AddMessageIntegrity(key);
        yield return ("turn-channel-bind-request", writer.Written.ToArray());

        writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Send, StunClass.Indication), TransactionId);
        writer.AddXorAddress(StunAttributeType.XorPeerAddress, new IPEndPoint(IPAddress.Parse("2001:db8::7"), 40001));
        writer.Add(StunAttributeType.Data, "payload"u8);
        writer.AddUInt32(StunAttributeType.ConnectionId, 77);
        yield return ("turn-send-indication", writer.Written.ToArray());

        // Attributes after MESSAGE-INTEGRITY are ignored, FINGERPRINT excepted (StunCodecTests).
        writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Binding, StunClass.Request), TransactionId);
        writer.AddString(StunAttributeType.Username, "evtj:h6vY");
        writer.AddMessageIntegrity("k"u8);
        writer.AddString(StunAttributeType.Software, "after integrity");
        writer.AddFingerprint();
        yield return ("attributes-after-integrity", writer.Written.ToArray());

        // SHA-256 integrity with USERHASH and an ALTERNATE-SERVER.
        var sha256Key = StunCredentials.LongTermKey("bob", "realm", "pw", StunPasswordAlgorithm.Sha256);
        writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Refresh, StunClass.Request), TransactionId);
        writer.Add(StunAttributeType.UserHash, StunCredentials.UserHash("bob", "realm"));
        writer.AddAddress(StunAttributeType.AlternateServer, new IPEndPoint(IPAddress.Parse("192.0.2.99"), 3478));
        writer.AddMessageIntegritySha256(sha256Key);
        yield return ("sha256-integrity-userhash", writer.Written.ToArray());
    }

    static IEnumerable<(string Name, byte[] Bytes)> RtpSeeds()
    {
        yield return ("chromium-vp8-one-byte-extensions", ChromiumRtp);
        yield return ("padding-3", Convert.FromHexString("A0600001000000010000000111223344000003"));
        yield return ("extension-id-15-stops", Convert.FromHexString("900000010000000100000001BEDE0002" + "1030" + "F0" + "2041" + "000000"));
        yield return ("rtx-with-padding", Convert.FromHexString("A0E1" + "0005" + "00000064" + "33334444" + "0102" + "AABB" + "000003"));
        yield return ("two-csrcs-announced-one-present", Convert.FromHexString("8260000100000001000000010000000A"));

        var buffer = new byte[200];
        RtpExtensionElement[] small = [new(1, "1"u8.ToArray()), new(10, new byte[] { 0x80 | 33 })];
        yield return ("opus-audio-level", buffer[..RtpPacketWriter.Write(buffer, marker: false, 111, 7, 960, 0x11, small, "opus"u8)]);
        RtpExtensionElement[] large = [new(20, new byte[20]), new(1, "hi"u8.ToArray())];
        yield return ("two-byte-extensions", buffer[..RtpPacketWriter.Write(buffer, marker: true, 96, 8, 3000, 0x22, large, [1, 2, 3])]);

        // RtxPacketTests.Original(csrcs: 1, extension: true, payload: 50, padding: 4).
        var packet = new byte[12 + 4 + 12 + 50 + 4];
        packet[0] = 0x80 | 0x20 | 0x10 | 1;
        packet[1] = 0x80 | 96;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 0xFFF0);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), 0xA0B0C0D0);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0x11112222);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(12), 0xC0000000);
        Convert.FromHexString("BEDE0002" + "1030" + "310102" + "000000").CopyTo(packet, 16);
        for (int i = 0; i < 50; i++) packet[28 + i] = (byte)(i * 7 + 1);
        packet[^1] = 4;
        yield return ("csrc-extension-padding", packet);
        var rtx = new byte[packet.Length + 2];
        yield return ("rtx-of-csrc-extension-padding", rtx[..RtxPacket.Wrap(packet, rtx, 97, 0x33334444, 7)]);

        // A padding-only probe as Chromium sends on its RTX stream.
        var probe = new byte[12 + 255];
        probe[0] = 0xA0;
        probe[1] = 97;
        BinaryPrimitives.WriteUInt32BigEndian(probe.AsSpan(8), 0x33334444);
        probe[^1] = 255;
        yield return ("rtx-padding-only-probe", probe);
    }

    static IEnumerable<(string Name, byte[] Bytes)> RtcpSeeds()
    {
        var buffer = new byte[1500];
        int length = new SenderReport(0x1111, 0xE1A2B3C4_D5E6F708, 90_000, 100, 120_000,
            [new ReportBlock(0x2222, 25, -3, 70_000, 12, 0xA2B3C4D5, 6553)]).Write(buffer);
        length += SourceDescription.WriteCname(buffer.AsSpan(length), 0x1111, "user@host");
        length += ReceiverEstimatedMaxBitrate.Write(buffer.AsSpan(length), 0x1111, 1_500_000, [0x2222, 0x3333]);
        yield return ("sr-sdes-remb", buffer[..length]);

        var blockA = new ReportBlock(0xA1, 12, 345, 0x0001_0203, 77, 0xDEAD_BEEF, 65536);
        var blockB = new ReportBlock(0xB2, 0, -3, 9, 0, 0, 0);
        length = new SenderReport(0x55, 0xE800_0000_1234_5678, 90_000, 1_000, 1_200_000, [blockA, blockB]).Write(buffer);
        length += new ReceiverReport(0x66, [blockB]).Write(buffer.AsSpan(length));
        yield return ("sr-rr", buffer[..length]);

        length = GenericNack.Write(buffer, 0xA, 0xB, [65_534, 65_535, 0, 1, 14, 40]);
        yield return ("nack-across-the-wrap", buffer[..length]);

        length = PictureLossIndication.Write(buffer, 1, 2);
        length += FullIntraRequest.Write(buffer.AsSpan(length), 1, 3, 7);
        length += Goodbye.Write(buffer.AsSpan(length), [4, 5], "bye now");
        yield return ("pli-fir-bye", buffer[..length]);

        // draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.3 and §3.1.4's example chunks in one feedback.
        yield return ("transport-cc-draft-examples", Convert.FromHexString(
            "8FCD0009" + "0000000A" + "0000000B" + "FFDC" + "010A" + "FFFFFE" + "07" + "00DD" + "6018" + "9F1C" + "CD50"
            + "0102030405060708" + "0A141E" + "00"));

        // The builder's feedback with losses, a large and a negative delta.
        var builder = new TransportFeedbackBuilder();
        long time = 5_000_123_000;
        for (int i = 0; i < 60; i++)
        {
            if (i % 11 == 3 || i is >= 30 and < 40) continue;
            time += i switch { 20 => 900_000, 50 => -3_000, _ => 1_000 };
            builder.Record((ushort)(65_500 + i), time);
        }
        length = builder.Write(buffer, 0xAA, 0xBB);
        yield return ("transport-cc-builder", buffer[..length]);

        yield return ("sr-count-past-body", Convert.FromHexString("81C80006000011110000"));
        yield return ("sdes-cname-255-claimed", Convert.FromHexString("81CA000300001111" + "01FF7573"));
        yield return ("remb-255-ssrcs-claimed", Convert.FromHexString("8FCE0005000011110000000052454D42FF000001"));
    }
}
