using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;
using Switchboard.Protocols.Sdp;

namespace Switchboard.MediaLoad;

/// <summary>
/// A synthetic browser that subscribes to every publisher's microphone and camera: it waits until the room's
/// <c>tracks</c> hold them all, offers one <c>recvonly</c> section per track (the publishers' codecs and extensions),
/// and counts what arrives per SSRC by sequence number: loss is expected (highest extended sequence number less the
/// first) minus received, over the measured window; it does not NACK, so the loss is raw. Each media packet's stamp
/// gives the time from the publisher's send to this receive. A receiver report goes out every second (with LSR/DLSR
/// from the server's sender reports, as browsers send them).
/// </summary>
internal sealed partial class SfuSubscriber : SfuParticipant
{
    private readonly Lock _lock = new();
    private readonly Dictionary<uint, Stream> _streams = [];
    private readonly uint _ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
    private readonly HashSet<int> _audioPts = [], _videoPts = [], _rtxPts = [];
    private List<Section> _sections = [];
    private readonly Dictionary<int, long> _firstPacket = [];   // track key (publisher * 2 + video) -> Stopwatch ticks
    private readonly Dictionary<int, long> _firstKeyframe = []; // publisher -> Stopwatch ticks
    private long _requestedAt, _connectedAt; // the offer sent, DTLS up
    private bool _measuring;
    private bool _tracksGoneReported;

    public long Received, RtxReceived, Unreadable, UnexpectedPayloadType, Keyframes, SenderReports;

    /// <summary>Cameras whose first packet here was not the first packet of a keyframe (undecodable until one comes).</summary>
    public int VideoStartedWithoutKeyframe;

    private double _windowLatencySum;
    private long _windowLatencyCount;

    public SfuSubscriber(SfuRun run, int index) : base(run, string.Create(CultureInfo.InvariantCulture, $"subscriber-{index}"))
    {
        Transport.RtpReceived = OnRtp;
        Transport.RtcpReceived = OnRtcp;
    }

    private sealed record Section(string Mid, string TrackId, int Publisher, bool Video);

    private sealed class Stream(uint ssrc, int clockRate)
    {
        public readonly ReceptionStatistics Statistics = new(ssrc, clockRate);
        public bool Started;
        public long Highest, Received;            // extended sequence number; media packets
        public long WindowHighest, WindowReceived; // at the window's start (first - 1, 0 for a stream that starts inside it)
        public bool InWindow;
    }

    public async Task ConnectAsync(CancellationToken cancel)
    {
        JsonObject joined = await JoinAsync(cancel);
        // Run.Publishers holds the publishers that connected (subscribers start after them).
        JsonArray tracks = await WaitForTracksAsync(joined["tracks"] as JsonArray, t => Subscribable(t).Count() == 2 * Run.Publishers.Count, cancel);
        _sections = Subscribable(tracks).OrderBy(s => s.Publisher).ThenBy(s => s.Video)
            .Select((s, i) => s with { Mid = i.ToString(CultureInfo.InvariantCulture) }).ToList();

        var subscribe = new JsonArray([.. _sections.Select(s => (JsonNode)new JsonObject { ["mid"] = s.Mid, ["trackId"] = s.TrackId })]);
        _requestedAt = Stopwatch.GetTimestamp();
        await AcceptAsync(await NegotiateAsync(Offer(), null, subscribe, cancel), cancel);
        KeepReading();
    }

    /// <summary>Reads the answer's payload types per section, then connects (ICE, DTLS) and watches for the first packets.</summary>
    private async Task AcceptAsync(SessionDescription answer, CancellationToken cancel)
    {
        foreach (MediaDescription section in answer.Media)
        {
            Section? mine = _sections.FirstOrDefault(s => s.Mid == section.Mid);
            if (mine is null) continue;
            if (section.Port == 0) Run.Problem($"{Name}: the answer rejects section {section.Mid} ({mine.TrackId})");
            else if (section.Direction is not ("sendonly" or null)) Run.Problem($"{Name}: the answer's section {section.Mid} is {section.Direction}, expected sendonly");
            foreach (Rtpmap map in section.Rtpmaps)
            {
                if (map.Encoding.Equals("rtx", StringComparison.OrdinalIgnoreCase)) _rtxPts.Add(map.PayloadType);
                else (mine.Video ? _videoPts : _audioPts).Add(map.PayloadType);
            }
        }
        if (answer.Media.Count != _sections.Count) Run.Problem($"{Name}: the answer has {answer.Media.Count} sections for an offer of {_sections.Count}");
        await Transport.ConnectAsync(answer, cancel);
        _connectedAt = Stopwatch.GetTimestamp();
        _ = CheckFirstPacketsAsync();
    }

    /// <summary>The publishers' microphone and camera tracks in <paramref name="tracks"/>.</summary>
    private IEnumerable<Section> Subscribable(JsonArray tracks)
    {
        foreach (JsonNode? track in tracks)
        {
            string? id = track?["id"]?.GetValue<string>(), participant = track?["participantId"]?.GetValue<string>(), source = track?["source"]?.GetValue<string>();
            if (id is null || participant is null || !Run.Publishers.TryGetValue(participant, out int publisher)) continue;
            if (source is "microphone" or "camera") yield return new Section("", id, publisher, source == "camera");
        }
    }

    protected override void OnTracks(JsonArray tracks)
    {
        if (_sections.Count == 0 || _tracksGoneReported) return;
        var present = tracks.Select(t => t?["id"]?.GetValue<string>()).ToHashSet();
        var gone = _sections.Where(s => !present.Contains(s.TrackId)).Select(s => s.TrackId).ToList();
        if (gone.Count == 0) return;
        _tracksGoneReported = true;
        Run.Problem($"{Name}: tracks it subscribes to left the room's tracks: {string.Join(", ", gone)}");
    }

    private async Task CheckFirstPacketsAsync()
    {
        await Task.Delay(Run.Options.FirstPacketLimit);
        List<string> missing;
        lock (_lock) missing = _sections.Where(s => !_firstPacket.ContainsKey(Key(s.Publisher, s.Video))).Select(s => s.TrackId).ToList();
        if (missing.Count > 0)
            Run.Problem($"{Name}: no packets within {Run.Options.FirstPacketLimit.TotalSeconds:0.#} s of connecting for {missing.Count} of {_sections.Count} tracks: {string.Join(", ", missing)}");
    }

    private static int Key(int publisher, bool video) => publisher * 2 + (video ? 1 : 0);

    private void OnRtp(Span<byte> bytes)
    {
        if (!RtpPacket.TryParse(bytes, out RtpPacket packet))
        {
            Unreadable++;
            return;
        }
        int pt = packet.PayloadType;
        if (_rtxPts.Contains(pt))
        {
            RtxReceived++;
            return;
        }
        bool video = _videoPts.Contains(pt);
        if (!video && !_audioPts.Contains(pt))
        {
            UnexpectedPayloadType++;
            return;
        }
        bool keyframe = false;
        if (!(video ? SyntheticMedia.TryReadVideo(packet.Payload, out keyframe, out long sentAt, out int publisher)
                : SyntheticMedia.TryReadAudio(packet.Payload, out sentAt, out publisher)))
        {
            Unreadable++;
            return;
        }
        long now = Stopwatch.GetTimestamp();
        TimeSpan latency = Stopwatch.GetElapsedTime(sentAt, now);
        Run.Latency.Record(latency);
        lock (_lock)
        {
            if (_measuring)
            {
                _windowLatencySum += latency.TotalMilliseconds;
                _windowLatencyCount++;
            }
            if (video && !_firstPacket.ContainsKey(Key(publisher, video)) && !keyframe) VideoStartedWithoutKeyframe++;
            if (!_streams.TryGetValue(packet.Ssrc, out Stream? stream)) _streams[packet.Ssrc] = stream = new Stream(packet.Ssrc, video ? 90_000 : 48_000);
            Count(stream, packet.SequenceNumber);
            stream.Statistics.OnPacket(packet.SequenceNumber, packet.Timestamp, Environment.TickCount64);
            _firstPacket.TryAdd(Key(publisher, video), now);
            if (keyframe)
            {
                Keyframes++;
                _firstKeyframe.TryAdd(publisher, now);
            }
        }
        Interlocked.Increment(ref Received);
    }

    /// <summary>The server's sender reports: the next receiver report's LSR and DLSR, from which it can tell the round trip.</summary>
    private void OnRtcp(Span<byte> datagram)
    {
        foreach (RtcpPacket packet in new RtcpCompound(datagram))
        {
            if (!ReportPacket.TryRead(packet, out ReportPacket report) || !report.IsSenderReport) continue;
            SenderReports++;
            lock (_lock)
                if (_streams.TryGetValue(report.Ssrc, out Stream? stream)) stream.Statistics.OnSenderReport(report.NtpTimestamp, Environment.TickCount64);
        }
    }

    private void Count(Stream stream, ushort sequence)
    {
        long extended = sequence;
        if (!stream.Started)
        {
            stream.Started = true;
            stream.Highest = extended;
        }
        else
        {
            extended = (stream.Highest & ~0xFFFFL) | sequence;
            if (extended - stream.Highest < -0x8000) extended += 0x10000;
            else if (extended - stream.Highest > 0x8000) extended -= 0x10000;
            if (extended > stream.Highest) stream.Highest = extended;
        }
        stream.Received++;
        if (_measuring && !stream.InWindow)
        {
            stream.InWindow = true;
            stream.WindowHighest = extended - 1;
            stream.WindowReceived = stream.Received - 1;
        }
    }

    /// <summary>Marks every stream's count: loss is measured from here.</summary>
    public void BeginWindow()
    {
        lock (_lock)
        {
            _measuring = true;
            _windowLatencySum = 0;
            _windowLatencyCount = 0;
            foreach (Stream stream in _streams.Values.Where(s => s.Started))
            {
                stream.InWindow = true;
                stream.WindowHighest = stream.Highest;
                stream.WindowReceived = stream.Received;
            }
        }
    }

    /// <summary>
    /// Packets expected and received since <see cref="BeginWindow"/>, summed over streams, the streams counted, and the
    /// mean one-way latency of this subscriber's packets (NaN without any).
    /// </summary>
    public (long Expected, long Received, int Streams, double MeanLatencyMs) EndWindow()
    {
        lock (_lock)
        {
            _measuring = false;
            double mean = _windowLatencyCount > 0 ? _windowLatencySum / _windowLatencyCount : double.NaN;
            long expected = 0, received = 0;
            int streams = 0;
            foreach (Stream stream in _streams.Values.Where(s => s.InWindow))
            {
                expected += stream.Highest - stream.WindowHighest;
                received += stream.Received - stream.WindowReceived;
                streams++;
            }
            return (expected, received, streams, mean);
        }
    }

    /// <summary>Per subscribed track, the milliseconds from DTLS up to the first packet (null when none came).</summary>
    public IEnumerable<double?> FirstPacketMilliseconds(bool video)
    {
        lock (_lock)
            return _sections.Where(s => s.Video == video)
                .Select(s => _firstPacket.TryGetValue(Key(s.Publisher, video), out long at) ? Stopwatch.GetElapsedTime(_connectedAt, at).TotalMilliseconds : (double?)null)
                .ToList();
    }

    /// <summary>
    /// Per subscribed camera, the milliseconds to the first keyframe (null when none came) from DTLS up, or with
    /// <paramref name="sinceOffer"/> from sending the offer (the WHEP POST, or <c>media-offer</c>).
    /// </summary>
    public IEnumerable<double?> FirstKeyframeMilliseconds(bool sinceOffer = false)
    {
        long from = sinceOffer ? _requestedAt : _connectedAt;
        lock (_lock)
            return _sections.Where(s => s.Video)
                .Select(s => _firstKeyframe.TryGetValue(s.Publisher, out long at) ? Stopwatch.GetElapsedTime(from, at).TotalMilliseconds : (double?)null)
                .ToList();
    }

    public int SubscribedTracks => _sections.Count;

    /// <summary>A receiver report with a block per stream received (31 per RR packet).</summary>
    public void SendReceiverReport()
    {
        if (!Transport.IsConnected) return;
        ReportBlock[] blocks;
        long now = Environment.TickCount64;
        lock (_lock) blocks = _streams.Values.Select(s => s.Statistics.CreateReportBlock(now)).ToArray();
        Span<byte> compound = stackalloc byte[1400];
        int length = 0;
        int offset = 0;
        do
        {
            ReportBlock[] chunk = blocks.Skip(offset).Take(31).ToArray();
            offset += chunk.Length;
            int written = new ReceiverReport(_ssrc, chunk).Write(compound[length..]);
            if (written < 0) break;
            length += written;
        } while (offset < blocks.Length);
        Transport.SendRtcp(compound[..length]);
    }

    private string Offer()
    {
        var lines = new List<string>(SessionLines(_sections.Select(s => s.Mid)));
        foreach (Section section in _sections)
        {
            lines.Add(section.Video ? "m=video 9 UDP/TLS/RTP/SAVPF 96 97" : "m=audio 9 UDP/TLS/RTP/SAVPF 111");
            lines.AddRange(SectionStart(section.Mid));
            lines.Add("a=recvonly");
            lines.AddRange(section.Video ? VideoCodecLines : AudioCodecLines);
        }
        lines.Add("");
        return string.Join("\r\n", lines);
    }
}
