using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
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
using Switchboard.Protocols.Sdp;

namespace Switchboard.Media.Tests.Recording;

/// <summary>
/// Lip sync measured, not assumed. A publisher whose audio and video are in sync at the source (one ffmpeg timeline:
/// the picture flashes white and a beep sounds at the same instants, every 2 s; VP8 and Opus encoded once, sent in real
/// time over real ICE, DTLS and SRTP with RTCP sender reports from one clock) is recorded for two minutes; halfway through
/// it reconnects (a new connection: new SSRCs, sequence numbers and timestamps). In the participant export and the room
/// export each flash and its beep are within 40 ms of each other. (Chromium's fake capture cannot be the source: played
/// from looping files its audio and video drift apart by a frame per loop and glitch under load.)
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "xUnit v2 disposes a test class through IAsyncLifetime.DisposeAsync, which CA1001 does not count")]
public sealed partial class LipSyncTests : IAsyncLifetime
{
    private const double Period = 2, FlashAt = 0.5, MaxOffset = 0.040;
    private const int Seconds = 120, FramesPerSecond = 30, MaxPayload = 1100;

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
    public async Task Flashes_and_beeps_stay_within_40_ms_in_the_exports_also_after_a_reconnect()
    {
        string ivf = Path.Combine(_directory, "flash.ivf"), ogg = Path.Combine(_directory, "beep.ogg");
        string flash = $"between(mod(t\\,{Period})\\,{FlashAt}\\,{FlashAt + 0.099})";
        await FfmpegAsync("-f", "lavfi", "-i", $"color=c=black:s=320x180:r={FramesPerSecond}:d={Seconds}", "-vf",
            $"drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='{flash}'", "-c:v", "libvpx", "-deadline", "realtime", "-g", "60", "-b:v", "300k", ivf);
        await FfmpegAsync("-f", "lavfi", "-i", $"sine=frequency=1000:sample_rate=48000:duration={Seconds}", "-af", $"volume=0:enable='not({flash})'",
            "-c:a", "libopus", "-frame_duration", "20", "-application", "lowdelay", ogg);
        List<byte[]> frames = MediaReaders.IvfFrames(await File.ReadAllBytesAsync(ivf)), packets = MediaReaders.OggPackets(await File.ReadAllBytesAsync(ogg));

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(Seconds + 120));
        var publisher = await PublishAsync(cancel.Token);
        string id = _recording.Start("room", RecordingRequest.Everything).Recording!.Id;

        // Real time: audio packet k at 20 k ms, video frame j at j/30 s, from one clock; sender reports map both to it.
        var clock = Stopwatch.StartNew();
        int sentAudio = 0, sentVideo = 0;
        while (sentAudio < packets.Count || sentVideo < frames.Count)
        {
            double now = clock.Elapsed.TotalSeconds;
            if (sentVideo == frames.Count / 2 && sentAudio >= packets.Count / 2 && publisher.Generation == 0)
            {
                // As a browser does: what was captured while the new connection came up is not sent; media goes on from now.
                publisher = await ReconnectAsync(publisher, cancel.Token);
                now = clock.Elapsed.TotalSeconds;
                sentAudio = (int)Math.Ceiling(now / 0.020);
                sentVideo = (int)Math.Ceiling(now * FramesPerSecond);
            }
            while (sentAudio < packets.Count && sentAudio * 0.020 <= now) publisher.SendAudio(packets[sentAudio], (uint)(sentAudio++ * 960));
            while (sentVideo < frames.Count && sentVideo / (double)FramesPerSecond <= now) publisher.SendVideo(frames[sentVideo], (uint)(sentVideo++ * 3000));
            publisher.SendReportsIfDue(clock.Elapsed.TotalSeconds);
            await Task.Delay(5, cancel.Token);
        }
        RecordingInfo info = (await _recording.StopAsync(id))!;
        Assert.Equal(2, info.Files.Count); // the reconnect continues the same files

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
            string all = string.Join(' ', offsets.Select(o => Math.Round(o * 1000)));
            string seen = $"{kind} export: flashes at {string.Join(' ', flashes.Select(f => f.ToString("F2", CultureInfo.InvariantCulture)))}; " +
                $"beeps at {string.Join(' ', beeps.Select(b => b.ToString("F2", CultureInfo.InvariantCulture)))}; offsets (ms) {all}";
            Assert.True(flashes.Count is >= (int)(Seconds / Period) - 4 and <= (int)(Seconds / Period), seen);
            Assert.True(beeps.Count is >= (int)(Seconds / Period) - 4 and <= (int)(Seconds / Period), seen);
            Assert.True(offsets.All(o => Math.Abs(o) <= MaxOffset), seen);
        }
    }

    private async Task<Publisher> PublishAsync(CancellationToken cancel, int generation = 0)
    {
        var client = new Publisher(generation);
        var outcome = _sfu.Offer("room", "p_pub", new MediaOffer(client.Offer(),
            [new OfferedTrack("0", TrackSource.Microphone), new OfferedTrack("1", TrackSource.Camera)], [], true, true));
        Assert.True(outcome.AnswerSdp is not null, outcome.Message);
        var section = SessionDescription.Parse(outcome.AnswerSdp!).Media.First(m => m.Port != 0);
        IceCandidate candidate = section.Candidates.First(c => c.Transport == "udp");
        var server = new IPEndPoint(IPAddress.Parse(candidate.Address), candidate.Port);
        var end = new UdpSocketEnd(server);
        var engine = new FullIceClientEngine(end, server, client.Ice, new IceCredentials(section.IceUfrag!, section.IcePwd!),
            client.Certificate, new CertificateFingerprint(section.Fingerprint!.Algorithm, section.Fingerprint.Value), new DtlsSrtpSettings());
        _disposables.Add(engine);
        _disposables.Add(end);
        _ = engine.RunAsync(TimeSpan.FromMilliseconds(200), cancel);
        await engine.Connected.Task.WaitAsync(cancel);
        _ = engine.KeepConsentAsync(TimeSpan.FromSeconds(5), cancel); // RFC 7675: without checks the server drops it after 30 s
        client.Engine = engine;
        return client;
    }

    /// <summary>The publisher's page reloaded its peer connection: the same tracks go on over a new one.</summary>
    private Task<Publisher> ReconnectAsync(Publisher old, CancellationToken cancel) => PublishAsync(cancel, old.Generation + 1);

    /// <summary>
    /// A publisher of one microphone (Opus) and one camera (VP8) with its own SSRCs, numbering and timestamp bases, on
    /// the test's media timeline: a sample at media time t has the timestamp base + t x clock rate.
    /// </summary>
    private sealed class Publisher(int generation)
    {
        private static readonly DateTimeOffset NtpEpoch = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);
        private readonly uint _audioSsrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue), _videoSsrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
        private readonly uint _audioBase = (uint)Random.Shared.NextInt64(uint.MaxValue), _videoBase = (uint)Random.Shared.NextInt64(uint.MaxValue);
        private ushort _audioSequence = (ushort)Random.Shared.Next(ushort.MaxValue), _videoSequence = (ushort)Random.Shared.Next(ushort.MaxValue);
        private double _nextReport;

        public int Generation { get; } = generation;
        public IceCredentials Ice { get; } = IceCredentials.Generate();
        public DtlsCertificate Certificate { get; } = DtlsCertificate.Create("publisher");
        public FullIceClientEngine Engine { get; set; } = null!;

        public string Offer() => string.Join("\r\n", [
            "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1", "a=msid-semantic: WMS *",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", .. Transport("0"), "a=sendonly", "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2", $"a=ssrc:{_audioSsrc} cname:pub",
            "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", .. Transport("1"), "a=sendonly", "a=rtcp-mux",
            "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli", $"a=ssrc:{_videoSsrc} cname:pub", ""]);

        private string[] Transport(string mid) =>
            [$"a=ice-ufrag:{Ice.Ufrag}", $"a=ice-pwd:{Ice.Password}", $"a=fingerprint:{Certificate.Fingerprint}", "a=setup:actpass", $"a=mid:{mid}"];

        public void SendAudio(byte[] packet, uint mediaTimestamp) => Send(Packets.Rtp(_audioSequence++, _audioBase + mediaTimestamp, _audioSsrc, packet), 111);

        /// <summary>A VP8 frame in packets (RFC 7741: a descriptor with S on the first), the marker on the last.</summary>
        public void SendVideo(byte[] frame, uint mediaTimestamp)
        {
            for (int offset = 0; offset < frame.Length; offset += MaxPayload)
            {
                int length = Math.Min(MaxPayload, frame.Length - offset);
                var payload = new byte[1 + length];
                payload[0] = (byte)(offset == 0 ? 0x10 : 0x00);
                frame.AsSpan(offset, length).CopyTo(payload.AsSpan(1));
                Send(Packets.Rtp(_videoSequence++, _videoBase + mediaTimestamp, _videoSsrc, payload, marker: offset + length == frame.Length), 96);
            }
        }

        /// <summary>Each second, a sender report per stream (RFC 3550 §6.4.1): the wall clock now, and each stream's timestamp of media time now.</summary>
        public void SendReportsIfDue(double mediaSeconds)
        {
            if (mediaSeconds < _nextReport) return;
            _nextReport = mediaSeconds + 1;
            var ntp = (ulong)((DateTimeOffset.UtcNow - NtpEpoch).TotalSeconds * 4294967296.0);
            Engine.SendRtcp(Packets.RtcpSenderReport(_audioSsrc, ntp, _audioBase + (uint)Math.Round(mediaSeconds * 48000), 1, 1));
            Engine.SendRtcp(Packets.RtcpSenderReport(_videoSsrc, ntp, _videoBase + (uint)Math.Round(mediaSeconds * 90000), 1, 1));
        }

        private void Send(byte[] packet, byte payloadType)
        {
            RtpHeaderRewriter.SetPayloadType(packet, payloadType);
            Engine.SendRtp(packet);
        }
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

    [GeneratedRegex(@"lavfi\.signalstats\.YAVG=([0-9.]+)")]
    private static partial Regex Luma();

    [GeneratedRegex(@"silence_end: ([0-9.]+)")]
    private static partial Regex SilenceEnd();
}
