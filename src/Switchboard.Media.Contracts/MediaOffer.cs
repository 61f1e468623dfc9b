namespace Switchboard.Media.Contracts;

/// <summary>
/// A participant's SDP offer, what each of its sections carries, and the grants it holds (<paramref name="MaySendData"/>:
/// on the room's data bus). <paramref name="PlainRtp"/>: the offer is the server's own for a gateway, whose media is
/// plain RTP on a socket of its own (<see cref="PlainRtpPeer"/>) instead of ICE and DTLS-SRTP.
/// </summary>
public sealed record MediaOffer(string Sdp, IReadOnlyList<OfferedTrack> Publish, IReadOnlyList<WantedTrack> Subscribe,
    bool MayPublish, bool MaySubscribe, bool MaySendData = false, PlainRtpPeer? PlainRtp = null);

/// <summary>
/// The far end of a plain RTP gateway: the address its packets come from, from any port (null: the first address that
/// sends, RFC 4961 symmetric RTP), and how often to ask the room's publishers for a key frame on its behalf (0: only when it starts), for
/// receivers such as ffmpeg that never ask themselves.
/// </summary>
public sealed record PlainRtpPeer(System.Net.IPAddress? Source = null, TimeSpan KeyFrameInterval = default);

/// <summary>A section the participant sends: its mid, its source, and its simulcast layers low to high (none: one stream).</summary>
public sealed record OfferedTrack(string Mid, TrackSource Source, bool Muted = false, IReadOnlyList<OfferedLayer>? Layers = null);

/// <summary>One simulcast encoding by its rid (RFC 8851), with the size the publisher sends it at (0: unknown).</summary>
public sealed record OfferedLayer(string Rid, int Width = 0, int Height = 0);

/// <summary>A <c>recvonly</c> section of the participant and the track it is to carry.</summary>
public sealed record WantedTrack(string Mid, string TrackId);

/// <summary>How a subscriber renders a track: its size (0: unknown) and whether it wants it at all.</summary>
public readonly record struct TrackSettings(int Width, int Height, bool Enabled);
