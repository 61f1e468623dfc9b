using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.EndToEnd.Browser;
using Switchboard.EndToEnd.Browser.App;
using Switchboard.EndToEnd.Infrastructure;

namespace Switchboard.EndToEnd.Gateways;

/// <summary>
/// The media server's gateways with Debian's ffmpeg at the far end (docs/broadcast.md, "Gateways"): a test pattern pushed
/// by plain RTP and by RTMP decodes in a Chromium participant of the room; a participant's camera and microphone go
/// out as plain RTP, by RTMP to an <c>ffmpeg -listen 1</c> receiver, and as HLS, and each output decodes.
/// </summary>
public sealed class GatewayTests(SfuAppFixture app, ITestOutputHelper output) : IClassFixture<SfuAppFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ffmpeg_pushes_a_test_pattern_by_plain_RTP_and_by_RTMP_and_a_room_participant_decodes_both()
    {
        const string room = "ingest";
        using var api = await AdminAsync();
        await using var ann = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, room, "Ann", initScript: RoomParticipant.SmallMedia(320, 180));
        await ann.WaitConnectedAsync();

        // Plain RTP: the API says where to send and with which SSRCs and payload types; ffmpeg sends VP8 and Opus there.
        var rtp = await StartAsync(api, room, "rtp-in", new { identity = "camera-box", video = "vp8" });
        var endpoint = rtp.GetProperty("endpoint");
        int port = endpoint.GetProperty("port").GetInt32();
        var streams = endpoint.GetProperty("streams").EnumerateArray().ToList();
        Assert.Equal(["video vp8 96", "audio opus 111"], streams.Select(s => $"{s.GetProperty("kind")} {s.GetProperty("codec")} {s.GetProperty("payloadType")}"));
        Assert.Contains($"rtp://127.0.0.1:{port}?rtcpport={port}", endpoint.GetProperty("ffmpeg").GetString());
        string Ssrc(int i) => streams[i].GetProperty("ssrc").GetUInt32().ToString(CultureInfo.InvariantCulture);
        string target = $"rtp://127.0.0.1:{port}?rtcpport={port}&pkt_size=1200";
        await using var rtpSender = ChildProcess.Start("ffmpeg", [.. TestPattern(15, 440),
            "-map", "0:v", "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k", "-g", "30", "-payload_type", "96", "-ssrc", Ssrc(0), "-f", "rtp", target,
            "-map", "1:a", "-c:a", "libopus", "-ar", "48000", "-ac", "2", "-payload_type", "111", "-ssrc", Ssrc(1), "-f", "rtp", target]);

        // RTMP: an encoder publishes H.264 and AAC with the URL and stream key the API gave; the video goes on as H.264.
        var rtmp = await StartAsync(api, room, "rtmp-in", new { identity = "studio-encoder" });
        string url = rtmp.GetProperty("endpoint").GetProperty("url").GetString()!, key = rtmp.GetProperty("endpoint").GetProperty("streamKey").GetString()!;
        Assert.StartsWith("rtmp://127.0.0.1:", url);
        await using var rtmpSender = await PublishRtmpAsync($"{url}/{key}");

        var tiles = await ann.WaitForPlayingVideosAsync(2);
        Assert.Equal(["camera-box", "studio-encoder"], tiles.Select(t => t.Name).Order());
        var received = await ann.WaitForReceivedMediaAsync(2, 2);
        output.WriteLine(string.Join("\n", received));
        Assert.All(received.Where(s => s.Kind == "video"), s => Assert.Equal((320, 240), (s.FrameWidth, s.FrameHeight)));

        // The API shows both gateways active, the RTMP one's ffmpeg running and writing frames.
        var listed = (await api.GetFromJsonAsync<JsonElement>($"api/gateways?room={room}")).EnumerateArray().ToList();
        output.WriteLine(string.Join("\n", listed));
        Assert.Equal(["rtp-in", "rtmp-in"], listed.Select(g => g.GetProperty("kind").GetString()));
        Assert.All(listed, g => Assert.Equal("active", g.GetProperty("state").GetString()));
        var ffmpeg = listed[1].GetProperty("ffmpeg");
        Assert.Equal("running", ffmpeg.GetProperty("state").GetString());

        // The encoder's H.264 is served as HLS as it came (the profile it was encoded with), not transcoded.
        var hls = await StartAsync(api, room, "hls", new { participant = rtmp.GetProperty("participantId").GetString() });
        string playlist = new Uri(app.Server.HttpBase, hls.GetProperty("endpoint").GetProperty("playlist").GetString()).ToString();
        using (var http = new HttpClient())
        {
            string text = await SegmentsAsync(http, playlist);
            Assert.True(text.Split('\n').Count(l => l.StartsWith("segment-", StringComparison.Ordinal)) >= 3, $"the playlist has fewer than 3 segments:\n{text}\n{await GatewaysAsync(api, room)}");
        }
        Assert.Equal([("h264", "Constrained Baseline"), ("aac", "LC")], await MediaFiles.LiveCodecsAsync(playlist, 2));
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"api/gateways/{hls.GetProperty("id").GetString()}")).StatusCode);

        // The encoder stops: the gateway's ffmpeg exits and is started again, and the encoder's next publish plays.
        await rtmpSender.DisposeAsync();
        string rtmpId = rtmp.GetProperty("id").GetString()!;
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < Limit; await Task.Delay(500))
            if ((ffmpeg = (await api.GetFromJsonAsync<JsonElement>($"api/gateways/{rtmpId}")).GetProperty("ffmpeg")).GetProperty("restarts").GetInt32() >= 1) break;
        output.WriteLine($"after the encoder stopped: {ffmpeg}");
        Assert.Equal(1, ffmpeg.GetProperty("restarts").GetInt32());
        Assert.StartsWith("ffmpeg exited", ffmpeg.GetProperty("lastError").GetString());
        string encoderVideo = $"document.querySelector('.tile[data-id=\"{rtmp.GetProperty("participantId").GetString()}\"] video').getVideoPlaybackQuality().totalVideoFrames";
        int stopped = await ann.EvaluateAsync<int>(encoderVideo);
        await using var again = await PublishRtmpAsync($"{url}/{key}");
        await ann.WaitUntilAsync($"{encoderVideo} > {stopped + 30}", "the encoder's second publish to play");

        // Stopping a gateway takes its participant out of the room.
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"api/gateways/{rtp.GetProperty("id").GetString()}")).StatusCode);
        await ann.WaitUntilAsync("document.querySelectorAll('.tile:not(.local)').length === 1", "the plain RTP gateway's tile to go");
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"api/gateways/{rtp.GetProperty("id").GetString()}")).StatusCode);
    }

    [Fact]
    public async Task A_participants_camera_and_microphone_go_out_as_plain_RTP_by_RTMP_and_as_HLS_and_each_decodes()
    {
        const string room = "egress";
        using var api = await AdminAsync();
        await using var ann = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, room, "Ann", initScript: RoomParticipant.SmallMedia(320, 180));
        await ann.WaitConnectedAsync();
        string annId = await ann.ParticipantIdAsync();
        using var files = new TempDirectory("gateway-out");
        await ann.WaitForAsync(ann.OutboundAsync, o => o.Any(s => s.Kind == "video" && s.FramesSent > 30), "Ann to be sending video");

        // Plain RTP to ffmpeg, with the SDP the API returned.
        int videoPort = FreePorts.TcpAndUdp(), audioPort = FreePorts.TcpAndUdp();
        var rtp = await WaitStartedAsync(api, room, "rtp-out", new { host = "127.0.0.1", videoPort, audioPort, participant = annId });
        string sdp = rtp.GetProperty("endpoint").GetProperty("sdp").GetString()!;
        Assert.Contains($"m=video {videoPort} RTP/AVP 96", sdp);
        Assert.Contains($"m=audio {audioPort} RTP/AVP 111", sdp);
        string sdpFile = Path.Combine(files.Path, "room.sdp"), rtpFile = Path.Combine(files.Path, "rtp.mkv");
        await File.WriteAllTextAsync(sdpFile, sdp);
        await using (var receiver = ChildProcess.Start("ffmpeg", ["-nostdin", "-loglevel", "warning", "-protocol_whitelist", "file,udp,rtp", "-i", sdpFile,
            "-t", "6", "-c", "copy", "-y", rtpFile]))
            Assert.True(await receiver.WaitForExitAsync(Limit) && receiver.ExitCode == 0, $"the plain RTP receiver failed: {receiver.OutputTail()}");
        await AssertDecodesAsync(rtpFile, "vp8", "opus");

        // RTMP to an ffmpeg listening as an RTMP server (as YouTube's or Twitch's ingest would).
        int rtmpPort = FreePorts.TcpAndUdp();
        string flvFile = Path.Combine(files.Path, "restream.flv");
        await using (var ingest = ChildProcess.Start("ffmpeg", ["-nostdin", "-loglevel", "warning", "-listen", "1", "-i", $"rtmp://127.0.0.1:{rtmpPort}/live/secret-key",
            "-t", "4", "-c", "copy", "-y", flvFile]))
        {
            await Task.Delay(1000); // it listens
            var restream = await WaitStartedAsync(api, room, "rtmp-out", new { url = $"rtmp://127.0.0.1:{rtmpPort}/live/secret-key", participant = annId });
            Assert.Equal($"rtmp://127.0.0.1:{rtmpPort}/live/…", restream.GetProperty("endpoint").GetProperty("url").GetString());
            Assert.True(await ingest.WaitForExitAsync(Limit) && ingest.ExitCode == 0, $"the RTMP receiver failed: {ingest.OutputTail()}\n{await GatewaysAsync(api, room)}");
            Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"api/gateways/{restream.GetProperty("id").GetString()}")).StatusCode);
        }
        await AssertDecodesAsync(flvFile, "h264", "aac");

        // HLS: the playlist and its fMP4 segments, read by ffprobe over HTTP.
        var hls = await WaitStartedAsync(api, room, "hls", new { participant = annId, segmentSeconds = 1 });
        string playlist = new Uri(app.Server.HttpBase, hls.GetProperty("endpoint").GetProperty("playlist").GetString()).ToString();
        Assert.EndsWith($"/hls/{room}/index.m3u8", playlist);
        using var http = new HttpClient();
        string text = await SegmentsAsync(http, playlist);
        output.WriteLine(text);
        Assert.Contains("#EXT-X-MAP:URI=\"init.mp4\"", text);
        Assert.True(text.Split('\n').Count(l => l.StartsWith("segment-", StringComparison.Ordinal)) >= 3, $"the playlist has fewer than 3 segments:\n{text}\n{await GatewaysAsync(api, room)}");
        Assert.Equal(["h264", "aac"], (await MediaFiles.LiveCodecsAsync(playlist, 2)).Select(s => s.Codec));
        string hlsFile = Path.Combine(files.Path, "hls.mp4");
        await using (var viewer = ChildProcess.Start("ffmpeg", ["-nostdin", "-loglevel", "warning", "-i", playlist, "-t", "3", "-c", "copy", "-y", hlsFile]))
            Assert.True(await viewer.WaitForExitAsync(Limit) && viewer.ExitCode == 0, $"ffmpeg could not play the HLS stream: {viewer.OutputTail()}");
        await AssertDecodesAsync(hlsFile, "h264", "aac");
        Assert.Equal("no-cache", (await http.GetAsync(playlist)).Headers.CacheControl?.ToString());

        // The watch page plays it with hls.js in Chromium: frames go on being shown.
        await using (var context = await app.Browser.NewContextAsync())
        {
            var watch = await context.NewPageAsync();
            await watch.GotoAsync(new Uri(app.Server.HttpBase, $"watch?room={room}&hls&start").ToString());
            const string frames = "document.getElementById('video').getVideoPlaybackQuality().totalVideoFrames";
            await watch.UntilAsync($"{frames} > 0", Limit);
            int before = await watch.EvaluateAsync<int>(frames);
            await Task.Delay(TimeSpan.FromSeconds(3));
            int after = await watch.EvaluateAsync<int>(frames);
            output.WriteLine($"the watch page showed {before} then {after} frames of the HLS stream");
            Assert.True(after > before, $"the HLS stream stopped playing ({before} then {after} frames)");
            Assert.Equal(("hls.js", 320), (await watch.EvaluateAsync<string>("window.whipWhep.player"), await watch.EvaluateAsync<int>("document.getElementById('video').videoWidth")));
        }
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(app.Server.HttpBase, $"hls/{room}/..%2Fapi-key.json"))).StatusCode);
    }

    [Fact]
    public async Task Bad_gateway_requests_get_a_clear_error_and_take_nobody_into_the_room()
    {
        const string room = "refusals";
        using var api = await AdminAsync();
        async Task ExpectAsync(string kind, object body, HttpStatusCode status, string detail)
        {
            var response = await api.PostAsJsonAsync($"api/rooms/{room}/gateways/{kind}", body);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(status == response.StatusCode, $"{kind} {body}: {response.StatusCode} {problem}");
            Assert.Contains(detail, problem.GetProperty("detail").GetString());
        }
        await ExpectAsync("rtp-in", new { video = "av1" }, HttpStatusCode.BadRequest, "video is vp8, h264 or none");
        await ExpectAsync("rtp-in", new { video = "none", audio = "none" }, HttpStatusCode.BadRequest, "video, audio or both");
        await ExpectAsync("rtp-in", new { source = "not-an-address" }, HttpStatusCode.BadRequest, "is not an IP address");
        await ExpectAsync("rtp-out", new { host = "example.com", videoPort = 5004 }, HttpStatusCode.BadRequest, "is not an IP address");
        await ExpectAsync("rtp-out", new { host = "127.0.0.1", videoPort = 70000 }, HttpStatusCode.BadRequest, "ports are 1-65535");
        await ExpectAsync("rtp-out", new { host = "127.0.0.1" }, HttpStatusCode.BadRequest, "videoPort, an audioPort or both");
        await ExpectAsync("rtp-out", new { host = "127.0.0.1", videoPort = 5004 }, HttpStatusCode.Conflict, "try again once someone publishes");
        await ExpectAsync("rtmp-out", new { url = "http://example.com/live" }, HttpStatusCode.BadRequest, "rtmp://");
        await ExpectAsync("hls", new { segmentSeconds = 30 }, HttpStatusCode.BadRequest, "segmentSeconds is 1-10");
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsJsonAsync("api/rooms/bad%20name/gateways/rtp-in", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync($"api/rooms/{room}/gateways/rtp-in", new StringContent("{\"video\":", null, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync("api/gateways/rtp-in-0000")).StatusCode);
        using var anonymous = new HttpClient { BaseAddress = app.Server.HttpBase };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync($"api/rooms/{room}/gateways/rtp-in", new { })).StatusCode);
        Assert.Empty((await api.GetFromJsonAsync<JsonElement>($"api/gateways?room={room}")).EnumerateArray());
        var participants = await api.GetAsync($"api/rooms/{room}/participants");
        if (participants.IsSuccessStatusCode) Assert.Empty((await participants.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray());
    }

    [Fact]
    public async Task Without_ffmpeg_a_gateway_says_which_package_to_install_and_the_server_goes_on()
    {
        await using var server = await Servers.SwitchboardProcess.StartAsync(["--Signaling:AllowAnonymous=true", "--Gateways:Ffmpeg=/nonexistent/ffmpeg"], role: "all");
        using var api = new HttpClient { BaseAddress = server.HttpBase, Timeout = Limit };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await server.TokenCreateAsync("--identity", "ops", "--admin"));
        var rtmp = await StartAsync(api, "no-ffmpeg", "rtmp-in", new { });
        JsonElement status = default;
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < Limit; await Task.Delay(200))
            if ((status = (await api.GetFromJsonAsync<JsonElement>($"api/gateways/{rtmp.GetProperty("id").GetString()}")).GetProperty("ffmpeg")).GetProperty("state").GetString() == "failed") break;
        output.WriteLine(status.ToString());
        Assert.Equal("failed", status.GetProperty("state").GetString());
        Assert.Contains("install ffmpeg (Debian package ffmpeg) or name it with Gateways:Ffmpeg", status.GetProperty("lastError").GetString());
        Assert.Equal(0, status.GetProperty("restarts").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("api/rooms/no-ffmpeg")).StatusCode);
    }

    /// <summary>ffmpeg's test pattern (320x240) and a tone, in real time for a minute.</summary>
    private static string[] TestPattern(int frameRate, int tone) =>
        ["-nostdin", "-loglevel", "warning", "-re", "-f", "lavfi", "-i", $"testsrc=size=320x240:rate={frameRate}", "-re", "-f", "lavfi",
            "-i", $"sine=frequency={tone}:sample_rate=48000", "-t", "60"];

    /// <summary>An encoder publishing H.264 and AAC by RTMP, as OBS does; tried again while the gateway's ffmpeg starts listening.</summary>
    private async Task<ChildProcess> PublishRtmpAsync(string url)
    {
        for (int attempt = 1; ; attempt++)
        {
            var sender = ChildProcess.Start("ffmpeg", [.. TestPattern(15, 660), "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-profile:v", "baseline",
                "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-g", "15", "-c:a", "aac", "-b:a", "64k", "-f", "flv", url]);
            if (!await sender.WaitForExitAsync(TimeSpan.FromSeconds(3)) || attempt == 10) return sender;
            output.WriteLine($"RTMP publish attempt {attempt}: {sender.OutputTail()}");
            await sender.DisposeAsync();
        }
    }

    private static async Task AssertDecodesAsync(string file, string video, string audio)
    {
        var probe = await MediaFiles.ProbeAsync(file);
        Assert.Equal([video, audio], probe.Codecs);
        Assert.Equal((320, 180), (probe.Width, probe.Height));
        Assert.True(probe.Frames > 10, $"{Path.GetFileName(file)}: {probe.Frames} video frames");
        Assert.Equal("", await MediaFiles.DecodeErrorsAsync(file));
    }

    private static async Task<JsonElement> StartAsync(HttpClient api, string room, string kind, object body) =>
        await CreatedAsync(kind, await api.PostAsJsonAsync($"api/rooms/{room}/gateways/{kind}", body));

    private static async Task<JsonElement> CreatedAsync(string kind, HttpResponseMessage response)
    {
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{kind}: {response.StatusCode} {json}");
        Assert.Equal($"/api/gateways/{json.GetProperty("id").GetString()}", response.Headers.Location?.ToString());
        return json;
    }

    /// <summary>Starts an outgoing gateway once the participant's tracks are published (409 until then).</summary>
    private static async Task<JsonElement> WaitStartedAsync(HttpClient api, string room, string kind, object body)
    {
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); ; await Task.Delay(500))
        {
            var response = await api.PostAsJsonAsync($"api/rooms/{room}/gateways/{kind}", body);
            if (response.StatusCode != HttpStatusCode.Conflict || waited.Elapsed > Limit) return await CreatedAsync(kind, response);
        }
    }

    /// <summary>The playlist once it lists three segments (or as it is after the wait limit).</summary>
    private static async Task<string> SegmentsAsync(HttpClient http, string playlist)
    {
        string text = "";
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < Limit; await Task.Delay(500))
        {
            var response = await http.GetAsync(playlist);
            text = response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : "";
            if (text.Split('\n').Count(l => l.StartsWith("segment-", StringComparison.Ordinal)) >= 3) break;
        }
        return text;
    }

    private static async Task<string> GatewaysAsync(HttpClient api, string room) => await api.GetStringAsync($"api/gateways?room={room}");

    private async Task<HttpClient> AdminAsync()
    {
        var client = new HttpClient { BaseAddress = app.Server.HttpBase, Timeout = Limit };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.Server.TokenCreateAsync("--identity", "ops", "--admin"));
        return client;
    }
}
