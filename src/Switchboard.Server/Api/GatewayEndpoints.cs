using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Server.Gateways;
using Switchboard.Signaling.Protocol;

namespace Switchboard.Server.Api;

/// <summary>
/// The media server's gateways (docs/broadcast.md, "Gateways"): /api/rooms/{name}/gateways/{kind} starts one (rtp-in,
/// rtp-out, rtmp-in, rtmp-out, hls), /api/gateways lists, shows and stops them. HLS is served at /hls/{room}/.
/// </summary>
public static class GatewayEndpoints
{
    public static void MapGateways(this RouteGroupBuilder api)
    {
        var rooms = api.MapGroup("/rooms/{name}/gateways").WithTags("Gateways");
        rooms.MapPost("/rtp-in", (string name, RtpInRequest? request, GatewayService gateways, HttpContext context) =>
                StartAsync(name, () => gateways.StartRtpInAsync(name, request ?? new RtpInRequest(), context.Request.Host.Host)))
            .WithSummary("Plain RTP into the room (ffmpeg -f rtp, GStreamer): the answer has the port, SSRCs and payload types to send with");
        rooms.MapPost("/rtp-out", (string name, RtpOutRequest request, GatewayService gateways) =>
                StartAsync(name, () => gateways.StartRtpOutAsync(name, request)))
            .WithSummary("A publisher's tracks out as plain RTP to a receiver: the answer has the SDP it opens");
        rooms.MapPost("/rtmp-in", (string name, RtmpInRequest? request, GatewayService gateways, HttpContext context) =>
                StartAsync(name, () => gateways.StartRtmpInAsync(name, request ?? new RtmpInRequest(), context.Request.Host.Host)))
            .WithSummary("An RTMP URL and stream key an encoder (OBS, ffmpeg -f flv) publishes into the room with");
        rooms.MapPost("/rtmp-out", (string name, RtmpOutRequest request, GatewayService gateways) =>
                StartAsync(name, () => gateways.StartRtmpOutAsync(name, request)))
            .WithSummary("Restream a publisher's camera and microphone to an RTMP URL (YouTube, Twitch), as H.264 and AAC");
        rooms.MapPost("/hls", (string name, HlsRequest? request, GatewayService gateways) =>
                StartAsync(name, () => gateways.StartHlsAsync(name, request ?? new HlsRequest())))
            .WithSummary("Serve a publisher's camera and microphone as HLS (fMP4 segments) at /hls/{name}/index.m3u8");

        var all = api.MapGroup("/gateways").WithTags("Gateways");
        all.MapGet("/", (string? room, GatewayService gateways) => gateways.List(room)).WithSummary("List gateways (of one room with ?room=), with their ffmpeg's state");
        all.MapGet("/{id}", Results<Ok<GatewayInfo>, ProblemHttpResult> (string id, GatewayService gateways) =>
                gateways.Get(id) is { } info ? TypedResults.Ok(info) : NotFound(id))
            .WithSummary("Get a gateway");
        all.MapDelete("/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, GatewayService gateways) =>
                await gateways.StopAsync(id) ? TypedResults.NoContent() : NotFound(id))
            .WithSummary("Stop a gateway: its participant leaves the room and its ffmpeg ends");
    }

    /// <summary>Starts a gateway in a room (created if the server makes rooms on first join), or says why not.</summary>
    private static async Task<Results<Created<GatewayInfo>, ProblemHttpResult>> StartAsync(string room, Func<Task<GatewayStart>> start)
    {
        if (!ClientMessageReader.IsValidRoomName(room)) return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid room name",
            detail: "A room's name is 1-64 characters of A-Z a-z 0-9 - _ .");
        var started = await start();
        return started.Gateway is { } gateway
            ? TypedResults.Created($"/api/gateways/{gateway.Id}", GatewayService.Info(gateway, active: true))
            : TypedResults.Problem(statusCode: started.Status, title: "Gateway not started", detail: started.Error);
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such gateway", detail: $"There is no gateway '{id}'.");
}
