namespace Switchboard.Server.Gateways;

// The REST API's gateway requests (docs/broadcast.md, "Gateways").

/// <param name="Identity">The participant's identity in the room; null: rtp-in-… (a second gateway of an identity replaces the first).</param>
/// <param name="Video">"vp8" (the default), "h264", or "none".</param>
/// <param name="Audio">"opus" (the default) or "none".</param>
/// <param name="Source">The address the encoder sends from; null: the first that sends is the one taken.</param>
public sealed record RtpInRequest(string? Identity = null, string? Name = null, string? Video = null, string? Audio = null, string? Source = null);

/// <param name="Host">Where the receiver listens (an IP address).</param>
/// <param name="VideoPort">The receiver's video port; null: no video.</param>
/// <param name="AudioPort">The receiver's audio port; null: no audio.</param>
/// <param name="Participant">Whose tracks are sent; null: the first publisher's.</param>
/// <param name="Video">"vp8" (the default) or "h264": what the publisher must send, since the server does not transcode.</param>
/// <param name="KeyFrameIntervalSeconds">How often the publisher is asked for a key frame for the receiver (it cannot ask itself); default 2.</param>
public sealed record RtpOutRequest(string Host, int? VideoPort = null, int? AudioPort = null, string? Participant = null, string? Video = null,
    double? KeyFrameIntervalSeconds = null);

/// <param name="Transcode">False (the default): H.264 goes to the room as the encoder sent it; true: ffmpeg encodes it again as VP8.</param>
public sealed record RtmpInRequest(string? Identity = null, string? Name = null, bool Transcode = false);

/// <param name="Url">The RTMP URL with its stream key (rtmp:// or rtmps://), e.g. YouTube's or Twitch's ingest.</param>
/// <param name="Participant">Whose camera and microphone are restreamed; null: the first publisher's.</param>
public sealed record RtmpOutRequest(string Url, string? Participant = null);

/// <param name="Participant">Whose camera and microphone are served; null: the first publisher's.</param>
/// <param name="SegmentSeconds">Target segment length, 1-10 (default 2); the playlist keeps 6 segments.</param>
public sealed record HlsRequest(string? Participant = null, int? SegmentSeconds = null);
