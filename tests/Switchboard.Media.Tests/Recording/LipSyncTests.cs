using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchboard.Dtls;
using Switchboard.Media.Contracts;
using Switchboard.Media.Recording;
using Switchboard.Media.Sfu;
using Switchboard.Media.Tests.Session;
using Switchboard.Media.Tests.Support;
using Switchboard.Media.Transport;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Rtp;
using Xunit.Abstractions;

namespace Switchboard.Media.Tests.Recording;

/// <summary>
/// Lip sync measured, not assumed. A publisher whose audio and video are in sync at the source (one ffmpeg timeline:
/// the picture flashes white and a beep sounds at the same instants, every 2 s; Opus and two VP8 simulcast layers encoded
/// once, sent in real time over real ICE, DTLS and SRTP as Chromium sends them, each stream with its own SSRC, sequence
/// numbers and timestamps, and RTCP sender reports from one clock) is recorded for two minutes. In the first half it
/// stops sending its top layer for 12 s, as a browser does when its bandwidth drops, so the recording switches down to
/// the low layer and back; halfway through it reconnects (a new connection: new SSRCs, sequence numbers and
/// timestamps). In the participant export and the room export each flash and its beep are within 40 ms of each other
/// throughout. (Chromium's fake capture cannot be the source: played from looping files its audio and video drift
/// apart by a frame per loop and glitch under load.)
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "xUnit v2 disposes a test class through IAsyncLifetime.DisposeAsync, which CA1001 does not count")]
public sealed partial class LipSyncTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const double Period = 2, FlashAt = 0.5, MaxOffset = 0.040, TopLayerStopsAt = 21, TopLayerResumesAt = 33;
    private const int Seconds = 120, FramesPerSecond = 30, MaxPayload = 1100;
    private const string AudioMid = "0", VideoMid = "1";

    /// <summary>The camera's simulcast layers, low to high.</summary>
    private static readonly LayerSpec[] Layers = [new("l", 320, 180, 150_000), new("h", 640, 360, 500_000)];

    private readonly string _directory = Directory.CreateTempSubdirectory("switchboard-lipsync-").FullName;
    private readonly MediaTransportHost _host = new(Options.Create(new MediaOptions { UdpPort = 0, TcpPort = -1, AnnouncedAddresses = ["127.0.0.1"] }),
        NullLogger<MediaTransportHost>.Instance);
    private readonly List<IDisposable> _disposables = [];
    private SfuService _sfu = null!;
    private RecordingService _recording = null!;

    public Task InitializeAsync()
    {
        var options = Options.Create(new MediaOptions { Recording = { Directory = Path.Combine(_directory, "recordings") } });
        _sfu = new SfuService(_host, options, NullLogger<SfuService>.Instance);
        _recording = new RecordingService(_sfu, options, TimeProvider.System, NullLogger<RecordingService>.Instance);
        return _host.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables) disposable.Dispose();
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Flashes_and_beeps_stay_within_40_ms_in_the_exports_also_after_a_simulcast_switch_and_a_reconnect()
    {
        // One source, scaled to each layer's size: every layer flashes at the same frames (encoded at libvpx's fastest
        // fixed real-time speed; the adaptive one takes about as long as the video lasts).
        string flash = $"between(mod(t\\,{Period})\\,{FlashAt}\\,{FlashAt + 0.099})", ogg = Path.Combine(_directory, "beep.ogg");
        string[] ivfs = [.. Layers.Select(l => Path.Combine(_directory, $"flash-{l.Rid}.ivf"))];
        LayerSpec top = Layers[^1];
        string source = $"color=c=black:s={top.Width}x{top.Height}:r={FramesPerSecond}:d={Seconds}," +
            $"drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='{flash}',split={Layers.Length}{string.Concat(Layers.Select(l => $"[{l.Rid}]"))}";
        string scaled = string.Concat(Layers.Select(l => $";[{l.Rid}]scale={l.Width}:{l.Height}[{l.Rid}_out]"));
        string[] outputs = [.. Layers.SelectMany((l, i) => (string[])["-map", $"[{l.Rid}_out]", "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "-16",
            "-g", "60", "-b:v", $"{l.Bitrate / 1000}k", ivfs[i]])];
        await FfmpegAsync(["-filter_complex", source + scaled, .. outputs]);
        await FfmpegAsync("-f", "lavfi", "-i", $"sine=frequency=1000:sample_rate=48000:duration={Seconds}", "-af", $"volume=0:enable='not({flash})'",
            "-c:a", "libopus", "-frame_duration", "20", "-application", "lowdelay", ogg);
        List<byte[]>[] frames = [.. (await Task.WhenAll(ivfs.Select(ivf => File.ReadAllBytesAsync(ivf)))).Select(MediaReaders.IvfFrames)];
        List<byte[]> packets = MediaReaders.OggPackets(await File.ReadAllBytesAsync(ogg));
        Assert.All(frames, layer => Assert.Equal(frames[0].Count, layer.Count));

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(Seconds + 120));
        var publisher = await PublishAsync(cancel.Token);
        string id = _recording.Start("room", RecordingRequest.Everything).Recording!.Id;

        // Real time: audio packet k at 20 k ms, video frame j at j/30 s, from one clock; sender reports map each stream to it.
        var clock = Stopwatch.StartNew();
        DateTimeOffset began = DateTimeOffset.UtcNow;
        int sentAudio = 0, sentVideo = 0;
        while (sentAudio < packets.Count || sentVideo < frames[0].Count)
        {
            double now = clock.Elapsed.TotalSeconds;
            if (sentVideo == frames[0].Count / 2 && sentAudio >= packets.Count / 2 && publisher.Generation == 0)
            {
                // As a browser does: what was captured while the new connection came up is not sent; media goes on from now.
                publisher = await ReconnectAsync(publisher, cancel.Token);
                now = clock.Elapsed.TotalSeconds;
                sentAudio = (int)Math.Ceiling(now / 0.020);
                sentVideo = (int)Math.Ceiling(now * FramesPerSecond);
            }
            while (sentAudio < packets.Count && sentAudio * 0.020 <= now) publisher.SendAudio(packets[sentAudio], (uint)(sentAudio++ * 960));
            for (; sentVideo < frames[0].Count && sentVideo / (double)FramesPerSecond <= now; sentVideo++)
            {
                publisher.SentLayers = sentVideo / (double)FramesPerSecond is >= TopLayerStopsAt and < TopLayerResumesAt ? Layers.Length - 1 : Layers.Length;
                publisher.SendVideo([.. frames.Select(layer => layer[sentVideo])], (uint)(sentVideo * 3000));
            }
            publisher.SendReportsIfDue(began, clock.Elapsed.TotalSeconds);
            await Task.Delay(5, cancel.Token);
        }
        RecordingInfo info = (await _recording.StopAsync(id))!;
        Assert.Equal(2, info.Files.Count); // the layer switches and the reconnect continue the same files

        // The recording went down to the low layer while the top one was missing, and back up: one file, both sizes.
        var layers = await PictureSizesAsync(_recording.FilePath(id, info.Files.Single(f => f.Kind == "video").Name)!);
        output.WriteLine($"recorded: {string.Join(", ", layers.Select(l => $"{l.Size} from {l.From.ToString("F2", CultureInfo.InvariantCulture)} s"))}");
        static string Size(LayerSpec layer) => $"{layer.Width}x{layer.Height}";
        Assert.Equal(new[] { Size(top), Size(Layers[0]), Size(top) }, layers.Select(l => l.Size));

        foreach (string kind in new[] { "participant", "room" })
        {
            ExportInfo export = _recording.Export(id, new ExportRequest(kind, "p_pub"), out string? problem) ?? throw new Xunit.Sdk.XunitException(problem);
            for (var waited = Stopwatch.StartNew(); export.State == ExportState.Running; await Task.Delay(200))
            {
                Assert.True(waited.Elapsed < TimeSpan.FromMinutes(4), "the export did not finish");
                export = _recording.GetExport(id, export.Id)!;
            }
            Assert.True(export.State == ExportState.Done, export.Error);
            string file = _recording.FilePath(id, export.File!)!;
            var flashes = await FlashesAsync(file);
            var beeps = await BeepsAsync(file);
            var offsets = flashes.Select(f => beeps.OrderBy(b => Math.Abs(b - f)).FirstOrDefault(double.NaN) - f).ToList();
            string seen = $"{kind} export: flash at (s): offset of its beep (ms): " +
                string.Join(' ', flashes.Zip(offsets, (f, o) => $"{f.ToString("F2", CultureInfo.InvariantCulture)}:{Math.Round(o * 1000)}")) +
                $"; beeps at {string.Join(' ', beeps.Select(b => b.ToString("F2", CultureInfo.InvariantCulture)))}";
            output.WriteLine(seen);
            Assert.True(flashes.Count is >= (int)(Seconds / Period) - 4 and <= (int)(Seconds / Period), seen);
            Assert.True(beeps.Count is >= (int)(Seconds / Period) - 4 and <= (int)(Seconds / Period), seen);
            Assert.True(offsets.All(o => Math.Abs(o) <= MaxOffset), seen);
        }
    }

    private async Task<Publisher> PublishAsync(CancellationToken cancel, int generation = 0)
    {
        var client = new Publisher(generation);
        var outcome = _sfu.Offer("room", "p_pub", new MediaOffer(client.Offer(),
            [new OfferedTrack(AudioMid, TrackSource.Microphone), new OfferedTrack(VideoMid, TrackSource.Camera, false,
                [.. Layers.Select(l => new OfferedLayer(l.Rid, l.Width, l.Height))])], [], true, true));
        Assert.True(outcome.AnswerSdp is not null, outcome.Message);
        client.Engine = await LoopbackConnection.ConnectAsync(outcome.AnswerSdp!, client.Ice, client.Certificate, _disposables, cancel);
        _ = client.Engine.KeepConsentAsync(TimeSpan.FromSeconds(5), cancel); // RFC 7675: without checks the server drops it after 30 s
        return client;
    }

    /// <summary>The publisher's page reloaded its peer connection: the same tracks go on over a new one.</summary>
    private Task<Publisher> ReconnectAsync(Publisher old, CancellationToken cancel) => PublishAsync(cancel, old.Generation + 1);

    /// <summary>
    /// A publisher as Chromium sends: a microphone (Opus) and a camera (VP8) in simulcast layers, each stream with its
    /// own SSRC and random sequence number and timestamp bases (RFC 3550 §5.1), named in each packet by mid and, for a
    /// layer, rid; on the test's media timeline: a sample at media time t has the timestamp base + t x clock rate.
    /// </summary>
    private sealed class Publisher(int generation)
    {
        private static readonly DateTimeOffset NtpEpoch = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);
        private readonly SentStream _audio = new(111, 48000, AudioMid, null);
        private readonly SentStream[] _video = [.. Layers.Select(l => new SentStream(96, 90000, VideoMid, l.Rid))];
        private double _nextReport;

        public int Generation { get; } = generation;
        public IceCredentials Ice { get; } = IceCredentials.Generate();
        public DtlsCertificate Certificate { get; } = DtlsCertificate.Create("publisher");
        public FullIceClientEngine Engine { get; set; } = null!;

        /// <summary>How many of its layers it sends, from the lowest (a browser stops the top ones when its bandwidth drops).</summary>
        public int SentLayers { get; set; } = Layers.Length;

        public string Offer() => string.Join("\r\n", [
            "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1", "a=msid-semantic: WMS *",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", .. Transport(AudioMid), "a=sendonly", "a=rtcp-mux", RtpStreamIds.MidExtmap,
            "a=rtpmap:111 opus/48000/2", $"a=ssrc:{_audio.Ssrc} cname:pub",
            "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", .. Transport(VideoMid), "a=sendonly", "a=rtcp-mux", .. RtpStreamIds.VideoExtmaps,
            "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli", .. RtpStreamIds.SendLayers(Layers), ""]);

        private string[] Transport(string mid) =>
            [$"a=ice-ufrag:{Ice.Ufrag}", $"a=ice-pwd:{Ice.Password}", $"a=fingerprint:{Certificate.Fingerprint}", "a=setup:actpass", $"a=mid:{mid}"];

        public void SendAudio(byte[] packet, uint mediaTimestamp) => Send(_audio, packet, mediaTimestamp, marker: false);

        /// <summary>A frame of each layer it sends, in packets (RFC 7741: a descriptor with S on the first), the marker on the last.</summary>
        public void SendVideo(IReadOnlyList<byte[]> layerFrames, uint mediaTimestamp)
        {
            for (int layer = 0; layer < SentLayers; layer++)
            {
                byte[] frame = layerFrames[layer];
                for (int offset = 0; offset < frame.Length; offset += MaxPayload)
                {
                    int length = Math.Min(MaxPayload, frame.Length - offset);
                    var payload = new byte[1 + length];
                    payload[0] = (byte)(offset == 0 ? 0x10 : 0x00);
                    frame.AsSpan(offset, length).CopyTo(payload.AsSpan(1));
                    Send(_video[layer], payload, mediaTimestamp, marker: offset + length == frame.Length);
                }
            }
        }

        /// <summary>
        /// Each second, a sender report per stream it sends and has sent on (RFC 3550 §6.4.1): the wall clock and the
        /// stream's timestamp of media time now, both from one reading of the clock, as a browser takes them (two readings
        /// on a busy machine can be a thread switch apart).
        /// </summary>
        public void SendReportsIfDue(DateTimeOffset began, double mediaSeconds)
        {
            if (mediaSeconds < _nextReport) return;
            _nextReport = mediaSeconds + 1;
            var ntp = (ulong)(((began - NtpEpoch).TotalSeconds + mediaSeconds) * 4294967296.0);
            foreach (SentStream stream in ((SentStream[])[_audio, .. _video[..SentLayers]]).Where(s => s.HasSent))
                Engine.SendRtcp(Packets.RtcpSenderReport(stream.Ssrc, ntp, stream.TimestampBase + (uint)Math.Round(mediaSeconds * stream.ClockRate), 1, 1));
        }

        private void Send(SentStream stream, ReadOnlySpan<byte> payload, uint mediaTimestamp, bool marker)
        {
            RtpExtensionElement[] extensions = stream.Rid is null ? [RtpStreamIds.Mid(stream.Mid)] : [RtpStreamIds.Mid(stream.Mid), RtpStreamIds.Rid(stream.Rid)];
            var packet = new byte[32 + payload.Length];
            int length = RtpPacketWriter.Write(packet, marker, stream.PayloadType, stream.NextSequence++, stream.TimestampBase + mediaTimestamp, stream.Ssrc,
                extensions, payload);
            stream.HasSent = true;
            Engine.SendRtp(packet[..length]);
        }
    }

    /// <summary>One RTP stream a publisher sends: its SSRC and random bases, its section (mid) and, for a layer, its rid.</summary>
    private sealed class SentStream(byte payloadType, int clockRate, string mid, string? rid)
    {
        public byte PayloadType { get; } = payloadType;
        public int ClockRate { get; } = clockRate;
        public string Mid { get; } = mid;
        public string? Rid { get; } = rid;
        public uint Ssrc { get; } = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
        public uint TimestampBase { get; } = (uint)Random.Shared.NextInt64(uint.MaxValue);
        public ushort NextSequence { get; set; } = (ushort)Random.Shared.Next(ushort.MaxValue);
        public bool HasSent { get; set; }
    }

    /// <summary>The picture sizes of a video file in the order they come, each with the time of its first frame (ffmpeg's showinfo).</summary>
    private static async Task<List<(string Size, double From)>> PictureSizesAsync(string path)
    {
        string log = await FfmpegAsync("-i", path, "-an", "-vf", "showinfo", "-f", "null", "-");
        var sizes = new List<(string Size, double From)>();
        foreach (Match frame in FrameSize().Matches(log))
            if (sizes.Count == 0 || sizes[^1].Size != frame.Groups[2].Value)
                sizes.Add((frame.Groups[2].Value, double.Parse(frame.Groups[1].Value, CultureInfo.InvariantCulture)));
        return sizes;
    }

    /// <summary>When the picture turns white: each frame's average luma from ffmpeg's signalstats, rising edges.</summary>
    private static async Task<List<double>> FlashesAsync(string path)
    {
        string log = await FfmpegAsync("-i", path, "-an", "-vf", "signalstats,metadata=print:key=lavfi.signalstats.YAVG", "-f", "null", "-");
        var onsets = new List<double>();
        double time = 0;
        bool white = false;
        foreach (string line in log.Split('\n'))
        {
            if (FrameTime().Match(line) is { Success: true } frame) time = double.Parse(frame.Groups[1].Value, CultureInfo.InvariantCulture);
            else if (Luma().Match(line) is { Success: true } luma)
            {
                bool now = double.Parse(luma.Groups[1].Value, CultureInfo.InvariantCulture) > 128;
                if (now && !white) onsets.Add(time);
                white = now;
            }
        }
        return onsets;
    }

    /// <summary>
    /// When a beep starts: the ends of ffmpeg's detected silences, but the last one, which is the end of the file (the
    /// source ends in silence, which silencedetect ends there).
    /// </summary>
    private static async Task<List<double>> BeepsAsync(string path)
    {
        string log = await FfmpegAsync("-i", path, "-vn", "-af", "silencedetect=noise=-30dB:d=0.2", "-f", "null", "-");
        var ends = SilenceEnd().Matches(log).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        return ends.Count > 0 ? ends[..^1] : ends;
    }

    private static async Task<string> FfmpegAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("ffmpeg", ["-hide_banner", "-nostdin", "-y", .. arguments]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start (Debian package ffmpeg)");
        Task<string> output = process.StandardOutput.ReadToEndAsync(), errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        string all = await output + await errors;
        Assert.True(process.ExitCode == 0, all[^Math.Min(all.Length, 3000)..]);
        return all;
    }

    [GeneratedRegex(@"pts_time:([0-9.]+)")]
    private static partial Regex FrameTime();

    [GeneratedRegex(@"pts_time:\s*([0-9.]+) .* s:(\d+x\d+) ")]
    private static partial Regex FrameSize();

    [GeneratedRegex(@"lavfi\.signalstats\.YAVG=([0-9.]+)")]
    private static partial Regex Luma();

    [GeneratedRegex(@"silence_end: ([0-9.]+)")]
    private static partial Regex SilenceEnd();
}
