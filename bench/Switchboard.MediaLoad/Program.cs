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
    case "sfu":
        var options = new SfuOptions(
            Url: new Uri(arguments.Get("url", "http://127.0.0.1:8080/", "server")),
            Publishers: arguments.Int("publishers", 10),
            Subscribers: arguments.Int("subscribers", 10),
            Room: arguments.Get("room", "load"),
            Duration: arguments.Double("duration", 10, "seconds"),
            Warmup: arguments.Double("warmup", 5),
            VideoKbps: arguments.Double("video-kbps", 1000),
            ServerPid: arguments.OptionalInt("server-pid"),
            ConnectConcurrency: arguments.Int("connect-concurrency", 8),
            FirstPacketLimit: TimeSpan.FromSeconds(arguments.Double("first-packet-limit", 5)));
        return await SfuLoad.RunAsync(options);
    default:
        Console.Error.WriteLine($"--target is switchboard, janus or sfu, not {target}");
        return 2;
}
