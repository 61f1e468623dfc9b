using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Switchboard.Dtls;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;
using Switchboard.Protocols.Sdp;

namespace Switchboard.MediaLoad;

/// <summary>
/// One <c>RTCPeerConnection</c> of a call participant (<see cref="CallParticipant"/>): its own certificate, ICE
/// credentials and SSRCs. It publishes a microphone (Opus-sized, with the RFC 6464 audio level) and a camera in three
/// simulcast layers as Chromium sends them (rids <c>q</c>, <c>h</c>, <c>f</c>, no SSRCs in the offer, each packet with
/// the mid and rid header extensions, RTX with repaired-rid), answers NACKs over RTX and keyframe requests per layer,
/// and pauses the layers the server's <c>layers</c> message says nobody receives. It receives its subscriptions like a
/// browser: NACKs what is missing, sends transport-wide feedback every 100 ms and receiver reports every second, and a
/// PLI when a video stream lost packets for good.
/// </summary>
internal sealed class CallPeer : IDisposable
{
    public const int FramesPerSecond = 30;
    private const int AudioPayload = 100, MaxVideoPayload = 1100, HistorySize = 512;
    private const byte AudioPt = 111, VideoPt = 96, RtxPt = 97;
    private const string MidUri = "urn:ietf:params:rtp-hdrext:sdes:mid", RidUri = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
        RepairedRidUri = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
        TransportCcUri = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", AudioLevelUri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

    /// <summary>The camera's layers low to high, as Chromium's 720p simulcast: quarter, half and full size.</summary>
    public static readonly (string Rid, int Width, int Height)[] Layers = [("q", 320, 180), ("h", 640, 360), ("f", 1280, 720)];

    private readonly CallParticipant _owner;
    private readonly int _index;
    private readonly Outgoing _audio;
    private readonly Outgoing[] _video;
    private readonly long[] _layerBitrates;
    private readonly string _cname = Guid.NewGuid().ToString("N")[..16], _stream = Guid.NewGuid().ToString("N")[..12];
    private readonly uint _receiverSsrc = RandomSsrc();
    private readonly byte[] _packet = new byte[1500], _rtx = new byte[1500], _rtcp = new byte[1500];
    private readonly ushort[] _lost = new ushort[2048];
    private readonly Lock _receiveLock = new();
    private readonly TransportFeedbackBuilder _feedback = new();
    private readonly long _clockStart = Stopwatch.GetTimestamp();
    private Dictionary<uint, Incoming> _incoming = [];   // by SSRC, primary and RTX (replaced under _receiveLock on each answer)
    private HashSet<int> _audioPts = [], _videoPts = [], _rtxPts = [];
    private int _midId, _ridId, _repairedRidId, _transportCcId, _audioLevelId, _downTransportCcId;
    private int _transportSequence;
    private long _publishingSince;
    private long _nextFrameAt, _nextAudioAt, _nextSenderReportAt;

    public CallPeer(CallParticipant owner, int index, double lossPercent, long[] layerBitrates)
    {
        _owner = owner;
        _index = index;
        _layerBitrates = layerBitrates;
        Transport = new PeerTransport(DtlsCertificate.Create("call-load"), lossPercent);
        Transport.RtpReceived = OnRtp;
        Transport.RtcpReceived = OnRtcp;
        _audio = new Outgoing(-1);
        _video = Enumerable.Range(0, Layers.Length).Select(i => new Outgoing(i)).ToArray();
    }

    public PeerTransport Transport { get; }

    /// <summary>Track id to mid of what this connection receives (kept across renegotiations, as transceivers are).</summary>
    public Dictionary<string, (string Mid, bool Video)> Subscriptions { get; } = [];

    /// <summary>Mids of receiving sections whose track went, free for the next track of the same kind.</summary>
    public List<(string Mid, bool Video)> FreeMids { get; } = [];

    public int NextMid { get; set; } = 2;

    public string Offer()
    {
        var mids = new List<string> { "0", "1" };
        mids.AddRange(Subscriptions.Values.Select(s => s.Mid));
        mids.AddRange(FreeMids.Select(f => f.Mid));
        var lines = new List<string>
        {
            "v=0", $"o=- {Random.Shared.NextInt64(1, long.MaxValue)} 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
            $"a=group:BUNDLE {string.Join(' ', mids)}", "a=extmap-allow-mixed", "a=msid-semantic: WMS *",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111",
        };
        lines.AddRange(SectionStart("0"));
        lines.AddRange(["a=extmap:1 " + AudioLevelUri, "a=sendonly", $"a=msid:{_stream} {_stream}-audio", .. AudioCodec,
            string.Create(CultureInfo.InvariantCulture, $"a=ssrc:{_audio.Ssrc} cname:{_cname}"), string.Create(CultureInfo.InvariantCulture, $"a=ssrc:{_audio.Ssrc} msid:{_stream} {_stream}-audio")]);
        lines.Add("m=video 9 UDP/TLS/RTP/SAVPF 96 97");
        lines.AddRange(SectionStart("1"));
        lines.AddRange([$"a=extmap:10 {RidUri}", $"a=extmap:11 {RepairedRidUri}", "a=sendonly", $"a=msid:{_stream} {_stream}-video", .. VideoCodec]);
        lines.AddRange(Layers.Select(l => $"a=rid:{l.Rid} send"));
        lines.Add("a=simulcast:send " + string.Join(';', Layers.Select(l => l.Rid)));
        foreach (var (mid, video) in Subscriptions.Values.Concat(FreeMids).OrderBy(s => int.Parse(s.Mid, CultureInfo.InvariantCulture)))
        {
            lines.Add(video ? "m=video 9 UDP/TLS/RTP/SAVPF 96 97" : "m=audio 9 UDP/TLS/RTP/SAVPF 111");
            lines.AddRange(SectionStart(mid));
            lines.Add("a=recvonly");
            lines.AddRange(video ? VideoCodec : AudioCodec);
        }
        lines.Add("");
        return string.Join("\r\n", lines);
    }

    private IEnumerable<string> SectionStart(string mid) =>
        ["c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0", .. Transport.OfferTransportLines(), $"a=mid:{mid}", $"a=extmap:3 {TransportCcUri}", $"a=extmap:4 {MidUri}"];

    private static readonly string[] AudioCodec = ["a=rtpmap:111 opus/48000/2", "a=rtcp-fb:111 transport-cc", "a=fmtp:111 minptime=10;useinbandfec=1"];

    private static readonly string[] VideoCodec =
    [
        "a=rtcp-rsize", "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 goog-remb", "a=rtcp-fb:96 transport-cc", "a=rtcp-fb:96 ccm fir",
        "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
    ];

    /// <summary>Takes the answer: extension ids to send with, and the SSRCs and payload types of each receiving section.</summary>
    public void Apply(SessionDescription answer)
    {
        MediaDescription? camera = answer.Media.FirstOrDefault(m => m.Mid == "1"), microphone = answer.Media.FirstOrDefault(m => m.Mid == "0");
        int Id(MediaDescription? section, string uri) => section?.Extmaps.FirstOrDefault(e => e.Uri == uri)?.Id ?? 0;
        _midId = Id(camera, MidUri);
        _ridId = Id(camera, RidUri);
        _repairedRidId = Id(camera, RepairedRidUri);
        _transportCcId = Id(camera, TransportCcUri);
        _audioLevelId = Id(microphone, AudioLevelUri);
        if (camera is null || camera.Port == 0 || _midId == 0 || _ridId == 0)
            _owner.Run.Problem($"{_owner.Name}: the answer does not take the simulcast camera with mid and rid ({camera?.Port}, mid {_midId}, rid {_ridId})");

        var incoming = new Dictionary<uint, Incoming>();
        HashSet<int> audioPts = [], videoPts = [], rtxPts = [];
        int downCc = 0;
        lock (_receiveLock)
        {
            foreach (MediaDescription section in answer.Media)
            {
                if (section.Port == 0 || section.Mid is null or "0" or "1") continue;
                var subscription = Subscriptions.FirstOrDefault(s => s.Value.Mid == section.Mid);
                if (subscription.Key is null) continue;
                bool video = subscription.Value.Video;
                foreach (Rtpmap map in section.Rtpmaps)
                    (map.Encoding.Equals("rtx", StringComparison.OrdinalIgnoreCase) ? rtxPts : video ? videoPts : audioPts).Add(map.PayloadType);
                if (downCc == 0) downCc = Id(section, TransportCcUri);
                var groups = section.SsrcGroups.Where(g => g.Semantics == "FID" && g.Ssrcs.Length == 2).ToList();
                uint primary = section.Ssrcs.Except(groups.Select(g => g.Ssrcs[1])).FirstOrDefault();
                if (primary == 0) continue;
                // The same stream object when the SSRC stays (a renegotiation keeps the subscription's down track).
                Incoming stream = _incoming.TryGetValue(primary, out Incoming? kept) && kept.TrackId == subscription.Key
                    ? kept : new Incoming(subscription.Key, primary, video);
                incoming[primary] = stream;
                if (groups.FirstOrDefault(g => g.Ssrcs[0] == primary) is { } group) incoming[group.Ssrcs[1]] = stream;
            }
            _incoming = incoming;
            (_audioPts, _videoPts, _rtxPts) = (audioPts, videoPts, rtxPts);
            _downTransportCcId = downCc;
        }
    }

    public async Task ConnectAsync(SessionDescription answer, CancellationToken cancel)
    {
        await Transport.ConnectAsync(answer, cancel);
        _publishingSince = Stopwatch.GetTimestamp();
        _nextAudioAt = _nextFrameAt = _nextSenderReportAt = 0;
    }

    // Publishing (the pacer thread, and the receive thread for NACKs and keyframe requests).

    /// <summary>Called by the pacer: sends the audio and video frames that are due, and the sender reports.</summary>
    public void SendDue(byte audioLevel)
    {
        if (!Transport.IsConnected) return;
        long elapsed = (long)Stopwatch.GetElapsedTime(_publishingSince).TotalMilliseconds;
        while (_nextAudioAt <= elapsed)
        {
            _nextAudioAt += 20;
            SendAudio(audioLevel);
        }
        while (_nextFrameAt <= elapsed)
        {
            _nextFrameAt += 1000 / FramesPerSecond;
            foreach (Outgoing layer in _video)
                if (!layer.Paused) SendFrame(layer);
        }
        if (elapsed >= _nextSenderReportAt)
        {
            _nextSenderReportAt = elapsed + 1000;
            SendSenderReports();
        }
    }

    private void SendAudio(byte level)
    {
        Span<byte> packet = _packet;
        int header = WriteHeader(packet, AudioPt, false, _audio.Sequence++, _audio.Timestamp += 960, _audio.Ssrc, "0", null, level);
        SyntheticMedia.WriteStamp(packet[header..], Stopwatch.GetTimestamp(), _index * 4 + 3);
        if (Transport.SendRtp(packet[..(header + AudioPayload)]))
        {
            _audio.Packets++;
            _audio.Octets += AudioPayload;
            Interlocked.Increment(ref _owner.Run.Sent);
        }
    }

    private void SendFrame(Outgoing layer)
    {
        bool keyframe = layer.Frames++ % (10 * FramesPerSecond) == 0 || layer.KeyframeWanted;
        if (keyframe)
        {
            if (layer.KeyframeWanted) Interlocked.Increment(ref _owner.Run.KeyframesOnRequest);
            layer.KeyframeWanted = false;
            Interlocked.Increment(ref _owner.Run.KeyframesSent);
        }
        int size = (int)(_layerBitrates[layer.Layer] / 8 / FramesPerSecond) * (keyframe ? 3 : 1);
        int packets = Math.Max(1, (size + MaxVideoPayload - 1) / MaxVideoPayload);
        int payload = Math.Max(40, size / packets);
        layer.Timestamp += 90_000 / FramesPerSecond;
        layer.PictureId = (ushort)((layer.PictureId + 1) & 0x7FFF);
        var (rid, width, height) = Layers[layer.Layer];
        for (int i = 0; i < packets; i++)
        {
            Span<byte> packet = _packet;
            ushort sequence = layer.Sequence++;
            int header = WriteHeader(packet, VideoPt, i == packets - 1, sequence, layer.Timestamp, layer.Ssrc, "1", rid, null);
            int codec = WriteVp8(packet[header..], i == 0, keyframe, layer.PictureId, width, height);
            SyntheticMedia.WriteStamp(packet[(header + codec)..], Stopwatch.GetTimestamp(), _index * 4 + layer.Layer);
            int length = header + Math.Max(payload, codec + SyntheticMedia.StampLength);
            lock (layer.HistoryLock)
            {
                packet[..length].CopyTo(layer.History[sequence % HistorySize]);
                layer.HistoryLength[sequence % HistorySize] = length;
            }
            if (!Transport.SendRtp(packet[..length])) continue;
            layer.Packets++;
            layer.Octets += (uint)(length - header);
            Interlocked.Increment(ref _owner.Run.Sent);
        }
    }

    /// <summary>RFC 7741: descriptor with a 15-bit picture id; on a frame's first packet a keyframe's header (with its size) or an interframe's tag.</summary>
    private static int WriteVp8(Span<byte> payload, bool start, bool keyframe, ushort pictureId, int width, int height)
    {
        payload[0] = (byte)(start ? 0x90 : 0x80);
        payload[1] = 0x80;
        payload[2] = (byte)(0x80 | pictureId >> 8);
        payload[3] = (byte)pictureId;
        if (!start) return 4;
        if (!keyframe)
        {
            payload[4] = 0x11;
            payload[5] = 0x02;
            payload[6] = 0x00;
            return 7;
        }
        payload[4] = 0x10;
        payload[5] = 0x02;
        payload[6] = 0x00;
        payload[7] = 0x9d;
        payload[8] = 0x01;
        payload[9] = 0x2a;
        BinaryPrimitives.WriteUInt16LittleEndian(payload[10..], (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(payload[12..], (ushort)height);
        return 14;
    }

    /// <summary>RTP header with the one-byte extensions the answer kept: mid, rid or repaired rid, audio level, transport-wide sequence number.</summary>
    private int WriteHeader(Span<byte> packet, byte payloadType, bool marker, ushort sequence, uint timestamp, uint ssrc, string mid,
        string? rid, byte? audioLevel, bool repaired = false)
    {
        Span<RtpExtensionElement> elements = new RtpExtensionElement[4];
        int count = 0;
        if (_midId > 0) elements[count++] = new(_midId, mid == "0" ? MidZero : MidOne);
        int ridId = repaired ? _repairedRidId : _ridId;
        if (rid is not null && ridId > 0) elements[count++] = new(ridId, RidBytes[rid]);
        if (audioLevel is { } level && _audioLevelId > 0) elements[count++] = new(_audioLevelId, AudioLevels[level & 0x7F]);
        if (_transportCcId > 0)
        {
            ushort transport = (ushort)Interlocked.Increment(ref _transportSequence);
            elements[count++] = new(_transportCcId, new[] { (byte)(transport >> 8), (byte)transport });
        }
        int length = RtpPacketWriter.Write(packet, marker, payloadType, sequence, timestamp, ssrc, elements[..count], []);
        return length;
    }

    private static readonly byte[] MidZero = "0"u8.ToArray(), MidOne = "1"u8.ToArray();
    private static readonly Dictionary<string, byte[]> RidBytes = Layers.ToDictionary(l => l.Rid, l => Encoding.ASCII.GetBytes(l.Rid));
    private static readonly byte[][] AudioLevels = Enumerable.Range(0, 128).Select(l => new[] { (byte)(0x80 | l) }).ToArray();

    private void SendSenderReports()
    {
        Span<byte> compound = stackalloc byte[512];
        ulong ntp = NtpNow();
        int length = new SenderReport(_audio.Ssrc, ntp, _audio.Timestamp, _audio.Packets, _audio.Octets, []).Write(compound);
        foreach (Outgoing layer in _video)
            if (layer.Packets > 0) length += new SenderReport(layer.Ssrc, ntp, layer.Timestamp, layer.Packets, layer.Octets, []).Write(compound[length..]);
        length += SourceDescription.WriteCname(compound[length..], _audio.Ssrc, _cname);
        Transport.SendRtcp(compound[..length]);
    }

    private static ulong NtpNow()
    {
        double seconds = (DateTime.UtcNow - new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalSeconds;
        return (ulong)Math.Floor(seconds) << 32 | (uint)((seconds - Math.Floor(seconds)) * 4294967296.0);
    }

    /// <summary>The server's <c>layers</c>: layers nobody receives pause, one that resumes starts with a keyframe (as the SDK does).</summary>
    public void SetActiveLayers(IReadOnlyList<bool> active)
    {
        for (int i = 0; i < _video.Length && i < active.Count; i++)
        {
            if (_video[i].Paused && active[i]) _video[i].KeyframeWanted = true;
            _video[i].Paused = !active[i];
        }
    }

    private void Retransmit(Outgoing layer, ushort sequence)
    {
        Span<byte> rtx = _rtx;
        int length;
        lock (layer.HistoryLock)
        {
            byte[] original = layer.History[sequence % HistorySize];
            int originalLength = layer.HistoryLength[sequence % HistorySize];
            if (originalLength == 0 || BinaryPrimitives.ReadUInt16BigEndian(original.AsSpan(2)) != sequence
                || !RtpPacket.TryParse(original.AsSpan(0, originalLength), out RtpPacket packet)) return;
            int header = WriteHeader(rtx, RtxPt, packet.Marker, layer.RtxSequence++, packet.Timestamp, layer.RtxSsrc, "1", Layers[layer.Layer].Rid, null, repaired: true);
            BinaryPrimitives.WriteUInt16BigEndian(rtx[header..], sequence);
            packet.Payload.CopyTo(rtx[(header + 2)..]);
            length = header + 2 + packet.Payload.Length;
        }
        if (Transport.SendRtp(rtx[..length])) Interlocked.Increment(ref _owner.Run.Retransmitted);
    }

    // Receiving (the transport's receive thread).

    private void OnRtp(Span<byte> bytes)
    {
        if (!RtpPacket.TryParse(bytes, out RtpPacket packet)) return;
        long nowMillis = Environment.TickCount64;
        lock (_receiveLock)
        {
            if (!_incoming.TryGetValue(packet.Ssrc, out Incoming? stream)) return;
            if (_downTransportCcId > 0 && packet.TransportSequenceNumber(_downTransportCcId) is var transport and >= 0)
                _feedback.Record((ushort)transport, (long)Stopwatch.GetElapsedTime(_clockStart).TotalMicroseconds);
            ushort sequence = packet.SequenceNumber;
            if (_rtxPts.Contains(packet.PayloadType))
            {
                Interlocked.Increment(ref _owner.Run.RtxReceived);
                if (packet.Payload.Length < 2) return; // a padding probe
                sequence = BinaryPrimitives.ReadUInt16BigEndian(packet.Payload);
                stream.Nacks?.OnPacket(sequence, nowMillis);
                stream.Arrived(sequence, original: false, _owner.Run);
                return;
            }
            stream.Statistics.OnPacket(sequence, packet.Timestamp, nowMillis);
            stream.Nacks?.OnPacket(sequence, nowMillis);
            stream.Arrived(sequence, original: true, _owner.Run);
            if (stream.Video && _videoPts.Contains(packet.PayloadType)
                && SyntheticMedia.TryReadVideo(packet.Payload, out bool keyframe, out _, out int stamp))
            {
                Interlocked.Increment(ref _owner.Run.VideoByLayer[Math.Clamp(stamp & 3, 0, 2)]);
                if (keyframe) Interlocked.Increment(ref _owner.Run.KeyframesReceived);
            }
        }
    }

    private void OnRtcp(Span<byte> datagram)
    {
        foreach (RtcpPacket packet in new RtcpCompound(datagram))
        {
            if (ReportPacket.TryRead(packet, out ReportPacket report))
            {
                if (!report.IsSenderReport) continue;
                lock (_receiveLock)
                    if (_incoming.TryGetValue(report.Ssrc, out Incoming? stream)) stream.Statistics.OnSenderReport(report.NtpTimestamp, Environment.TickCount64);
                continue;
            }
            if (!FeedbackPacket.TryRead(packet, out FeedbackPacket feedback)) continue;
            uint ssrc = feedback.MediaSsrc;
            if (FullIntraRequest.Is(feedback) && FullIntraRequest.EntryCount(feedback) > 0) ssrc = FullIntraRequest.Entry(feedback, 0).Ssrc;
            Outgoing? layer = _video.FirstOrDefault(v => v.Ssrc == ssrc);
            if (layer is null) continue;
            if (GenericNack.Is(feedback))
            {
                int count = GenericNack.Expand(feedback, _lost);
                Interlocked.Add(ref _owner.Run.NacksReceived, count);
                for (int i = 0; i < count; i++) Retransmit(layer, _lost[i]);
            }
            else if (PictureLossIndication.Is(feedback) || FullIntraRequest.Is(feedback))
            {
                Interlocked.Increment(ref _owner.Run.KeyframeRequestsReceived);
                layer.KeyframeWanted = true;
            }
        }
    }

    /// <summary>Every 100 ms (the pacer): transport-wide feedback, NACKs; every second a receiver report and PLIs for streams that lost packets for good.</summary>
    public void SendFeedback(long nowMillis, bool second)
    {
        if (!Transport.IsConnected) return;
        Span<byte> buffer = _rtcp;
        Span<ushort> due = stackalloc ushort[64];
        List<(uint Ssrc, int Count)> nacks = [];
        List<uint> plis = [];
        ReportBlock[] blocks = [];
        uint mediaSsrc;
        lock (_receiveLock)
        {
            var streams = _incoming.Values.Distinct().ToList();
            mediaSsrc = streams.FirstOrDefault()?.Ssrc ?? 0;
            while (_feedback.PendingCount > 0 && mediaSsrc != 0)
            {
                int written = _feedback.Write(buffer[..1200], _receiverSsrc, mediaSsrc);
                if (written <= 0) break;
                Transport.SendRtcp(buffer[..written]);
            }
            foreach (Incoming stream in streams)
            {
                if (stream.Nacks is { } nack && nack.CollectDue(nowMillis, 20, due) is int count and > 0)
                {
                    int written = GenericNack.Write(buffer, _receiverSsrc, stream.Ssrc, due[..count]);
                    if (written > 0) Transport.SendRtcp(buffer[..written]);
                    Interlocked.Add(ref _owner.Run.NacksSent, count);
                }
                if (second && stream.Video && stream.LostForGood())
                {
                    int written = PictureLossIndication.Write(buffer, _receiverSsrc, stream.Ssrc);
                    if (written > 0) Transport.SendRtcp(buffer[..written]);
                    Interlocked.Increment(ref _owner.Run.PlisSent);
                }
            }
            if (second) blocks = streams.Take(31).Select(s => s.Statistics.CreateReportBlock(nowMillis)).ToArray();
        }
        if (second && blocks.Length > 0)
        {
            int written = new ReceiverReport(_receiverSsrc, blocks).Write(buffer);
            if (written > 0) Transport.SendRtcp(buffer[..written]);
        }
    }

    private static uint RandomSsrc() => (uint)Random.Shared.NextInt64(1, uint.MaxValue);

    public void Dispose() => Transport.Dispose();

    /// <summary>One stream it sends: the microphone (layer -1) or a camera layer, with its RTX stream and history.</summary>
    private sealed class Outgoing(int layer)
    {
        public readonly int Layer = layer;
        public readonly uint Ssrc = RandomSsrc(), RtxSsrc = RandomSsrc();
        public ushort Sequence = (ushort)Random.Shared.Next(), RtxSequence = (ushort)Random.Shared.Next(), PictureId = (ushort)Random.Shared.Next(0x7FFF);
        public uint Timestamp = (uint)Random.Shared.NextInt64(uint.MaxValue), Packets, Octets;
        public long Frames;
        public volatile bool KeyframeWanted, Paused;
        public readonly Lock HistoryLock = new();
        public readonly byte[][] History = layer >= 0 ? Enumerable.Range(0, HistorySize).Select(_ => new byte[1500]).ToArray() : [];
        public readonly int[] HistoryLength = new int[layer >= 0 ? HistorySize : 0];
    }

    /// <summary>
    /// One stream it receives (a subscription's SSRC): what arrived, for loss counts (packets expected from the sequence
    /// numbers; originals, and packets that arrived at all, RTX included), NACKs and receiver reports.
    /// </summary>
    private sealed class Incoming(string trackId, uint ssrc, bool video)
    {
        private const int Window = 1024;
        private readonly bool[] _seen = new bool[Window];
        private bool _started;
        private long _highest, _settled, _previousDeficit;
        public long Expected, Unique;

        public string TrackId { get; } = trackId;
        public uint Ssrc { get; } = ssrc;
        public bool Video { get; } = video;
        public ReceptionStatistics Statistics { get; } = new(ssrc, video ? 90_000 : 48_000);
        public NackGenerator? Nacks { get; } = video ? new NackGenerator() : null;

        public void Arrived(ushort sequence, bool original, CallRun run)
        {
            long extended = sequence;
            if (!_started)
            {
                _started = true;
                _highest = extended;
                Expected = 1;
                Interlocked.Increment(ref run.Expected);
            }
            else
            {
                extended = (_highest & ~0xFFFFL) | sequence;
                if (extended - _highest < -0x8000) extended += 0x10000;
                else if (extended - _highest > 0x8000) extended -= 0x10000;
                if (extended > _highest)
                {
                    for (long s = _highest + 1; s <= extended && s - _highest <= Window; s++) _seen[s % Window] = false;
                    Interlocked.Add(ref run.Expected, extended - _highest);
                    Expected += extended - _highest;
                    _highest = extended;
                }
                else if (_highest - extended >= Window) return; // too old to tell
            }
            if (original) Interlocked.Increment(ref run.Received);
            ref bool seen = ref _seen[extended % Window];
            if (seen) return;
            seen = true;
            Unique++;
            Interlocked.Increment(ref run.Unique);
        }

        /// <summary>Once a second: packets missing a second ago are still missing now (no retransmission came), so the decoder needs a keyframe.</summary>
        public bool LostForGood()
        {
            long deficit = Expected - Unique;
            bool lost = _previousDeficit > _settled && deficit >= _previousDeficit;
            if (lost) _settled = _previousDeficit;
            else if (deficit < _settled) _settled = deficit;
            _previousDeficit = deficit;
            return lost;
        }
    }
}
