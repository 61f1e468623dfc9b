using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Switchboard.Media.Contracts;
using Switchboard.Protocols.Sdp;
using Switchboard.Signaling;
using Switchboard.Signaling.Protocol;
using Switchboard.Signaling.Tokens;
using Switchboard.Signaling.WhipWhep;

namespace Switchboard.Server.Gateways;

/// <summary>
/// The media server's gateways (docs/broadcast.md): plain RTP in and out, RTMP in and out, and HLS, each a room
/// participant whose media is plain RTP, with a supervised ffmpeg between it and RTMP or HLS. A gateway whose
/// participant leaves the room (removed, the room deleted) is stopped within a second.
/// </summary>
public sealed class GatewayService(SignalingHub hub, IRoomMedia media, IOptions<ServerOptions> server, IOptions<GatewayOptions> options,
    ILogger<GatewayService> logger)
    : BackgroundService
{
    /// <summary>The loopback address a gateway's own ffmpeg and the server exchange plain RTP on.</summary>
    private const string Local = "127.0.0.1";

    private readonly ConcurrentDictionary<string, Gateway> _gateways = new(StringComparer.Ordinal);

    /// <summary>Where HLS playlists and segments are written: a folder per room.</summary>
    public string HlsDirectory => Path.Combine(server.Value.DataDirectory, "hls");

    public IReadOnlyList<GatewayInfo> List(string? room) =>
        _gateways.Values.Where(g => room is null || g.Room == room).OrderBy(g => g.CreatedAt).Select(Info).ToList();

    public GatewayInfo? Get(string id) => _gateways.TryGetValue(id, out var gateway) ? Info(gateway) : null;

    public async Task<GatewayStart> StartRtpInAsync(string room, RtpInRequest request, string host)
    {
        if (Streams(request.Video, request.Audio, out string? problem) is not { } streams) return GatewayStart.Invalid(problem!);
        IPAddress? source = null;
        if (request.Source is not null && !IPAddress.TryParse(request.Source, out source)) return GatewayStart.Invalid($"source '{request.Source}' is not an IP address");
        return await StartAsync("rtp-in", room, request.Identity, request.Name, PlainRtpSdp.Ingest(streams), new PlainRtpPeer(source), null,
            port => new GatewayEndpoint(Port: port, Streams: streams.Select(Describe).ToList(), Ffmpeg: SenderCommand(host, port, streams)));
    }

    public async Task<GatewayStart> StartRtpOutAsync(string room, RtpOutRequest request)
    {
        if (!IPAddress.TryParse(request.Host, out _)) return GatewayStart.Invalid($"host '{request.Host}' is not an IP address");
        if (request.VideoPort is not (null or > 0 and <= ushort.MaxValue) || request.AudioPort is not (null or > 0 and <= ushort.MaxValue))
            return GatewayStart.Invalid("ports are 1-65535");
        if (request.KeyFrameIntervalSeconds is < 0.5 or > 60) return GatewayStart.Invalid("keyFrameIntervalSeconds is 0.5-60");
        var video = GatewayCodec.Video(request.Video);
        if (video is null) return GatewayStart.Invalid("video is vp8 or h264");
        var streams = new List<PlainRtpSdp.Stream>();
        if (request.VideoPort is { } videoPort) streams.Add(new(video, Port: videoPort));
        if (request.AudioPort is { } audioPort) streams.Add(new(GatewayCodec.Opus, Port: audioPort));
        if (streams.Count == 0) return GatewayStart.Invalid("name a videoPort, an audioPort or both");
        string sdp = PlainRtpSdp.Receiver(streams, request.Host, $"Switchboard room {room}");
        return await StartAsync("rtp-out", room, null, null, PlainRtpSdp.Egress(streams, request.Host),
            new PlainRtpPeer(KeyFrameInterval: TimeSpan.FromSeconds(request.KeyFrameIntervalSeconds ?? 2)), request.Participant, _ => new GatewayEndpoint(Sdp: sdp));
    }

    public async Task<GatewayStart> StartRtmpInAsync(string room, RtmpInRequest request, string host)
    {
        var streams = new List<PlainRtpSdp.Stream> { new(request.Transcode ? GatewayCodec.Vp8 : GatewayCodec.H264, NewSsrc()), new(GatewayCodec.Opus, NewSsrc()) };
        int listen = FreePort(SocketType.Stream);
        string key = RandomNumberGenerator.GetHexString(20, lowercase: true);
        string url = $"rtmp://{UrlHost(host)}:{listen}/live";
        return await StartAsync("rtmp-in", room, request.Identity, request.Name, PlainRtpSdp.Ingest(streams), new PlainRtpPeer(IPAddress.Loopback), null,
            port => new GatewayEndpoint(Url: url, StreamKey: key),
            port => FfmpegArguments.RtmpIn($"rtmp://0.0.0.0:{listen}/live/{key}", request.Transcode, streams, RtpUrl(Local, port)));
    }

    public async Task<GatewayStart> StartRtmpOutAsync(string room, RtmpOutRequest request)
    {
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var target) || target.Scheme is not ("rtmp" or "rtmps"))
            return GatewayStart.Invalid("url is an rtmp:// or rtmps:// URL with its stream key");
        var (streams, sdpFile, isH264) = LocalReceiver(room, request.Participant);
        return await StartAsync("rtmp-out", room, null, null, PlainRtpSdp.Egress(streams, Local), new PlainRtpPeer(KeyFrameInterval: TimeSpan.FromSeconds(2)),
            request.Participant, _ => new GatewayEndpoint(Url: Redacted(target)), _ => FfmpegArguments.RtmpOut(sdpFile, isH264, request.Url));
    }

    public async Task<GatewayStart> StartHlsAsync(string room, HlsRequest request)
    {
        if (request.SegmentSeconds is < 1 or > 10) return GatewayStart.Invalid("segmentSeconds is 1-10");
        if (_gateways.Values.Any(g => g.Kind == "hls" && g.Room == room)) return new GatewayStart(null, StatusCodes.Status409Conflict, $"room '{room}' is already served as HLS");
        int segment = request.SegmentSeconds ?? 2;
        string directory = Path.Combine(HlsDirectory, room);
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        var (streams, sdpFile, isH264) = LocalReceiver(room, request.Participant);
        return await StartAsync("hls", room, null, null, PlainRtpSdp.Egress(streams, Local), new PlainRtpPeer(KeyFrameInterval: TimeSpan.FromSeconds(segment)),
            request.Participant, _ => new GatewayEndpoint(Playlist: $"/hls/{room}/index.m3u8"), _ => FfmpegArguments.Hls(sdpFile, isH264, directory, segment));
    }

    /// <summary>Stops a gateway: its participant leaves the room and its ffmpeg ends. False when there is none.</summary>
    public async Task<bool> StopAsync(string id)
    {
        if (!_gateways.TryRemove(id, out var gateway)) return false;
        await hub.EndWhipWhepAsync(gateway.Session, LeaveReasons.Left);
        await EndAsync(gateway);
        return true;
    }

    private async Task<GatewayStart> StartAsync(string kind, string room, string? identity, string? name, string offer, PlainRtpPeer peer, string? publisher,
        Func<int, GatewayEndpoint> endpoint, Func<int, IReadOnlyList<string>>? ffmpeg = null)
    {
        string id = $"{kind}-{RandomNumberGenerator.GetHexString(8, lowercase: true)}";
        identity ??= id;
        var whipKind = kind.EndsWith("-in", StringComparison.Ordinal) ? WhipWhepKind.Whip : WhipWhepKind.Whep;
        var grants = whipKind == WhipWhepKind.Whip ? new Grants(Join: true, Publish: true) : new Grants(Join: true, Subscribe: true);
        var result = await hub.StartWhipWhepAsync(whipKind, room, new WhipWhepClient(identity, name ?? identity, grants), offer, Local, peer, publisher);
        if (result.Session is not { } session) return new GatewayStart(null, StatusOf(result.Error), result.Message);
        int port = PortOf(result.Body!);
        SupervisedFfmpeg? process = ffmpeg is null ? null : new SupervisedFfmpeg($"gateway {id}", options.Value.Ffmpeg, ffmpeg(port), logger);
        var gateway = new Gateway(id, kind, room, session, DateTimeOffset.UtcNow, endpoint(port), process);
        _gateways[id] = gateway;
        logger.LogInformation("Gateway {Id} in room {Room} as participant {Participant}", id, room, session.ParticipantId);
        return new GatewayStart(gateway, StatusCodes.Status201Created, null);
    }

    /// <summary>The streams of an rtp-in gateway, from the request's codec names, each with an SSRC.</summary>
    private static List<PlainRtpSdp.Stream>? Streams(string? videoName, string? audioName, out string? problem)
    {
        var streams = new List<PlainRtpSdp.Stream>();
        problem = null;
        if (videoName != "none")
        {
            if (GatewayCodec.Video(videoName) is not { } video) problem = "video is vp8, h264 or none";
            else streams.Add(new(video, NewSsrc()));
        }
        if (audioName is not (null or "opus" or "none")) problem = "audio is opus or none";
        else if (audioName != "none") streams.Add(new(GatewayCodec.Opus, NewSsrc()));
        if (problem is null && streams.Count == 0) problem = "a gateway carries video, audio or both";
        return problem is null ? streams : null;
    }

    /// <summary>
    /// An ffmpeg of the server's own receiving a publisher's camera and microphone (the first publisher's without
    /// <paramref name="publisher"/>): two free ports, its SDP file, and whether the video is H.264 (then it is not
    /// transcoded; any other codec is received as VP8 and encoded).
    /// </summary>
    private (List<PlainRtpSdp.Stream> Streams, string SdpFile, bool IsH264) LocalReceiver(string room, string? publisher)
    {
        bool isH264 = media.Tracks(room).Where(t => t.Kind == TrackKind.Video && (publisher is null || t.ParticipantId == publisher))
            .OrderBy(t => t.Source == TrackSource.Camera ? 0 : 1).FirstOrDefault()?.Codec == "H264";
        var video = isH264 ? GatewayCodec.H264 : GatewayCodec.Vp8;
        var streams = new List<PlainRtpSdp.Stream> { new(video, Port: FreePort(SocketType.Dgram)), new(GatewayCodec.Opus, Port: FreePort(SocketType.Dgram)) };
        string folder = Path.Combine(server.Value.DataDirectory, "gateways");
        Directory.CreateDirectory(folder);
        string file = Path.Combine(folder, $"{room}-{RandomNumberGenerator.GetHexString(8, lowercase: true)}.sdp");
        File.WriteAllText(file, PlainRtpSdp.Receiver(streams, Local, $"Switchboard room {room}"));
        return (streams, file, isH264);
    }

    private static GatewayStream Describe(PlainRtpSdp.Stream s) => new(s.Codec.Kind, s.Codec.Name, s.Codec.PayloadType, s.Ssrc);

    /// <summary>An ffmpeg command that sends a file's video and audio to an rtp-in gateway, for the API's answer.</summary>
    private static string SenderCommand(string host, int port, List<PlainRtpSdp.Stream> streams) =>
        "ffmpeg -re -i INPUT " + string.Join(' ', streams.Select(s =>
            $"-map 0:{s.Codec.Kind[0]}:0 {string.Join(' ', s.Codec.FfmpegEncoder)} -payload_type {s.Codec.PayloadType} -ssrc {s.Ssrc} -f rtp \"{RtpUrl(UrlHost(host), port)}\""));

    internal static string RtpUrl(string host, int port) => $"rtp://{host}:{port}?rtcpport={port}&pkt_size=1200";

    private static string UrlHost(string host) => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;

    /// <summary>The port of the answer's host candidate: where the gateway's plain RTP connection listens.</summary>
    private static int PortOf(string answer) =>
        answer.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("a=candidate:", StringComparison.Ordinal))
            .Select(l => IceCandidate.TryParse(l["a=candidate:".Length..], out var c) ? c.Port : 0).FirstOrDefault();

    private static uint NewSsrc() => (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue);

    /// <summary>A port nobody listens on now, for an ffmpeg to take.</summary>
    private static int FreePort(SocketType type)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, type == SocketType.Stream ? ProtocolType.Tcp : ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>A restream's target without its stream key (the path's last part), which is a secret.</summary>
    private static string Redacted(Uri target) =>
        $"{target.Scheme}://{target.Authority}{target.AbsolutePath[..(target.AbsolutePath.LastIndexOf('/') + 1)]}…";

    private static int StatusOf(WhipWhepError error) => error switch
    {
        WhipWhepError.NotFound => StatusCodes.Status404NotFound,
        WhipWhepError.Forbidden => StatusCodes.Status403Forbidden,
        WhipWhepError.Conflict or WhipWhepError.NothingPublished or WhipWhepError.InvalidOffer => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status503ServiceUnavailable,
    };

    private GatewayInfo Info(Gateway g) => Info(g, IsActive(g));

    internal static GatewayInfo Info(Gateway g, bool active) =>
        new(g.Id, g.Kind, g.Room, g.Session.ParticipantId, active ? "active" : "ended", g.CreatedAt, g.Endpoint, g.Ffmpeg?.Status);

    private bool IsActive(Gateway g) => hub.FindWhipWhep(g.Session.Kind, g.Room, g.Session.Id) is not null;

    /// <summary>Stops the gateways whose participant left the room by other means (removed, the room deleted).</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                foreach (var gateway in _gateways.Values.Where(g => !IsActive(g)).ToList())
                    if (_gateways.TryRemove(gateway.Id, out _)) await EndAsync(gateway);
        }
        catch (OperationCanceledException) { }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var id in _gateways.Keys.ToList()) await StopAsync(id);
    }

    private async Task EndAsync(Gateway gateway)
    {
        if (gateway.Ffmpeg is { } process) await process.DisposeAsync();
        logger.LogInformation("Gateway {Id} in room {Room} stopped", gateway.Id, gateway.Room);
    }
}

/// <summary>A gateway started, or the HTTP status and sentence of why not.</summary>
public sealed record GatewayStart(Gateway? Gateway, int Status, string? Error)
{
    public static GatewayStart Invalid(string error) => new(null, StatusCodes.Status400BadRequest, error);
}
