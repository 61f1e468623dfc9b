namespace Switchboard.EndToEnd.Browser.App;

/// <summary>One remote tile of the room page: the name shown and what its <c>&lt;video&gt;</c> decoded.</summary>
public sealed record RemoteTile(string Id, string Name, int Frames, int Width, bool Muted);

/// <summary>One inbound-rtp stream of an sfu page, with the track (<c>participant/source</c>) it carries.</summary>
public sealed record InboundStream(string TrackId, string Kind, long FramesDecoded, long BytesReceived, int FrameWidth, int FrameHeight,
    long NackCount, long PliCount, long FreezeCount, long PacketsLost, long PacketsReceived, long RetransmittedPacketsReceived);

/// <summary>One outbound-rtp stream of an sfu page (a simulcast layer has its <c>rid</c>).</summary>
public sealed record OutboundStream(string Kind, string? Mid, string? Rid, bool Active, int FrameWidth, int FrameHeight, long FramesSent,
    long BytesSent, string? QualityLimitationReason);
