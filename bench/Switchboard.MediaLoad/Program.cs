// Switchboard.MediaLoad: synthetic WebRTC peers (the project's own ICE, DTLS and SRTP in the client role) load the media
// server and report what arrived.
//
// --target switchboard (default): peers stream audio (50 packets/s of 100 bytes) and video (1,200-byte packets at
// --video-kbps) through the echo (POST /api/echo) and count what comes back. --target janus runs the same peers against
// Janus's EchoTest plugin over its HTTP API (Janus is the full ICE agent and the DTLS client there).
//
//   dotnet Switchboard.MediaLoad.dll --server http://127.0.0.1:8080/ --peers 20 --seconds 10 [--video-kbps 1000] [--server-pid PID]
//   dotnet Switchboard.MediaLoad.dll --target janus --janus http://127.0.0.1:8088/janus --peers 20 [--server-pid PID]
//
// --target sfu: P publishers and S subscribers join one room over the native signaling WebSocket (/ws, anonymous joins);
// each publisher sends a microphone (Opus-sized, 50 packets/s) and a camera (VP8, 30 frames/s, --video-kbps in
// 1,200-byte packets, a keyframe every 2 s and on PLI/FIR, NACKs answered over RTX) through the SFU, each subscriber
// receives every track and measures forwarded packets, raw loss and one-way latency (docs/benchmarks.md).
//
//   dotnet Switchboard.MediaLoad.dll --target sfu --url http://127.0.0.1:8080 --publishers 10 --subscribers 10 \
//       [--room load] [--duration 10] [--warmup 5] [--video-kbps 1000] [--server-pid PID] [--connect-concurrency 8]
//       [--record-token ADMIN_TOKEN [--record-settle 1]] [--chromium-recorder /usr/bin/chromium]
//
// With --record-token the room is recorded through the REST API (POST /api/rooms/{room}/recordings after the warm-up,
// --record-settle seconds before the window; stopped after it) and the JSON line gets the recording's files, bytes and
// durations. With --chromium-recorder one headless Chromium opens the web app's room page without camera or microphone
// and receives every track, as a browser-based recorder does; the JSON line gets its CPU over the window
// (bench/recording.sh, docs/benchmarks.md "Recording").
//
// --target whep: the same with one publisher and N viewers that play the room by WHEP (POST of a recvonly offer to
// /whep/{room}, no signaling) instead of joining it (bench/whep.sh, docs/benchmarks.md "WHEP playback under load"); the
// JSON line adds each viewer's time from its POST to its first keyframe (p50, p95, max).
//
//   dotnet Switchboard.MediaLoad.dll --target whep --url http://127.0.0.1:8080 --viewers 100 [--room live] [--duration 10] \
//       [--warmup 5] [--video-kbps 600] [--server-pid PID] [--connect-concurrency 8]
//
// --target call: a call of N participants in one SFU room for a long run (bench/soak.sh): each publishes a microphone
// and a camera in three simulcast layers (rids q, h, f) and receives every other participant, NACKing what it lost and
// sending transport-wide feedback; one participant's path is lossy, one makes a new peer connection (a new certificate)
// every --reconnect-every seconds, one in turn leaves and joins again every --rejoin-every seconds, and the rendered
// sizes change every 20 s. A JSON line every --report-every seconds, and a total at the end.
//
//   dotnet Switchboard.MediaLoad.dll --target call --url http://127.0.0.1:8080 --participants 6 --duration 1800 \
//       [--room soak] [--loss-percent 5] [--reconnect-every 60] [--rejoin-every 300] [--report-every 10] [--layer-kbps 150,450,1200]
//
// --target data: one sender and N receivers join one room's data bus (data channels only, anonymous joins over /ws);
// the sender sends frames of --size payload bytes on the reliable (or with --lossy the lossy) bus channel as fast as
// its SCTP send queue allows; the receivers count what the server forwards. Messages and MB per second, loss, and the
// server's CPU per 1,000 delivered messages and per delivered MB (docs/benchmarks.md, "Data channels").
//
//   dotnet Switchboard.MediaLoad.dll --target data --url http://127.0.0.1:8080 --size 1024 [--lossy] [--receivers 10] \
//       [--room data] [--duration 10] [--warmup 1] [--server-pid PID]
//
// --target data-p2p: the same flow between two RTCPeerConnections in one headless Chromium page (no server), with the
// browser's CPU per 1,000 messages.
//
//   dotnet Switchboard.MediaLoad.dll --target data-p2p --size 1024 [--lossy] [--duration 10] [--warmup 1] [--chromium /usr/bin/chromium]
using Switchboard.MediaLoad;

LoadArguments arguments;
try { arguments = new LoadArguments(args); }
catch (FormatException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

string target = arguments.Get("target", "switchboard");
switch (target)
{
    case "switchboard" or "janus":
        return await EchoLoad.RunAsync(arguments);
    case "sfu" or "whep":
        bool whep = target == "whep";
        var options = new SfuOptions(
            Url: new Uri(arguments.Get("url", "http://127.0.0.1:8080/", "server")),
            Publishers: whep ? 1 : arguments.Int("publishers", 10),
            Subscribers: arguments.Int("subscribers", 10, "viewers"),
            Room: arguments.Get("room", "load"),
            Duration: arguments.Double("duration", 10, "seconds"),
            Warmup: arguments.Double("warmup", 5),
            VideoKbps: arguments.Double("video-kbps", 1000),
            ServerPid: arguments.OptionalInt("server-pid"),
            ConnectConcurrency: arguments.Int("connect-concurrency", 8),
            FirstPacketLimit: TimeSpan.FromSeconds(arguments.Double("first-packet-limit", 5)),
            RecordToken: arguments.Get("record-token", "") is { Length: > 0 } recordToken ? recordToken : null,
            RecordSettle: arguments.Double("record-settle", 1),
            ChromiumRecorder: arguments.Get("chromium-recorder", "") is { Length: > 0 } chromiumPath ? chromiumPath : null,
            Whep: whep);
        return await SfuLoad.RunAsync(options);
    case "call":
        var call = new CallOptions(
            Url: new Uri(arguments.Get("url", "http://127.0.0.1:8080/", "server")),
            Room: arguments.Get("room", "soak"),
            Participants: arguments.Int("participants", 6),
            Duration: arguments.Double("duration", 60, "seconds"),
            LossPercent: arguments.Double("loss-percent", 5),
            ReconnectEvery: arguments.Double("reconnect-every", 60),
            RejoinEvery: arguments.Double("rejoin-every", 300),
            ReportEvery: arguments.Double("report-every", 10),
            LayerBitrates: [.. arguments.Get("layer-kbps", "150,450,1200").Split(',').Select(k => (long)(double.Parse(k, System.Globalization.CultureInfo.InvariantCulture) * 1000))]);
        if (call.LayerBitrates.Length != CallPeer.Layers.Length)
        {
            Console.Error.WriteLine($"--layer-kbps needs {CallPeer.Layers.Length} bit rates, low to high");
            return 2;
        }
        return await CallLoad.RunAsync(call);
    case "data":
        var data = new DataOptions(
            Url: new Uri(arguments.Get("url", "http://127.0.0.1:8080/", "server")),
            Room: arguments.Get("room", "data"),
            Receivers: arguments.Int("receivers", 10),
            Size: arguments.Int("size", 1024),
            Lossy: arguments.Flag("lossy"),
            Duration: arguments.Double("duration", 10, "seconds"),
            Warmup: arguments.Double("warmup", 1),
            ServerPid: arguments.OptionalInt("server-pid"),
            ConnectConcurrency: arguments.Int("connect-concurrency", 8));
        return await DataLoad.RunAsync(data);
    case "data-p2p":
        var p2p = new P2pOptions(
            Size: arguments.Int("size", 1024),
            Lossy: arguments.Flag("lossy"),
            Duration: arguments.Double("duration", 10, "seconds"),
            Warmup: arguments.Double("warmup", 1),
            Chromium: arguments.Get("chromium", "/usr/bin/chromium"));
        return await DataP2pLoad.RunAsync(p2p);
    default:
        Console.Error.WriteLine($"--target is switchboard, janus, sfu, whep, call, data or data-p2p, not {target}");
        return 2;
}
