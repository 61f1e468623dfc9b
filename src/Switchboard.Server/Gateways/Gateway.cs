using Switchboard.Signaling.WhipWhep;

namespace Switchboard.Server.Gateways;

/// <summary>
/// One gateway: a room participant whose media is plain RTP (a WHIP or WHEP session of the server's own, over
/// <see cref="Media.Gateway.PlainRtpTransport"/>), and the ffmpeg that bridges it to RTMP or HLS, if any.
/// </summary>
public sealed record Gateway(string Id, string Kind, string Room, WhipWhepSession Session, DateTimeOffset CreatedAt, GatewayEndpoint Endpoint,
    SupervisedFfmpeg? Ffmpeg = null);

/// <summary>
/// Where a gateway's media goes in or out, as its kind has it: the server's RTP port and the SSRCs and payload types to
/// send (rtp-in), the SDP a receiver opens (rtp-out), the URL an encoder publishes to (rtmp-in), the restream's target
/// (rtmp-out), or the playlist (hls).
/// </summary>
public sealed record GatewayEndpoint(int? Port = null, IReadOnlyList<GatewayStream>? Streams = null, string? Sdp = null, string? Url = null,
    string? StreamKey = null, string? Playlist = null, string? Ffmpeg = null);

/// <summary>A stream an encoder sends by plain RTP: its kind, codec, payload type and the SSRC the room knows it by.</summary>
public sealed record GatewayStream(string Kind, string Codec, int PayloadType, uint Ssrc);

/// <summary>A gateway as the REST API shows it; <paramref name="State"/> is active until its participant leaves the room.</summary>
public sealed record GatewayInfo(string Id, string Kind, string Room, string ParticipantId, string State, DateTimeOffset CreatedAt,
    GatewayEndpoint Endpoint, FfmpegStatus? Ffmpeg);
