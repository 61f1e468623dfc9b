namespace Switchboard.Signaling.Media;

// The parts of the media messages as clients write and read them (docs/signaling.md, "Media through the SFU"); the hub
// maps them to and from the media server's own contract (Switchboard.Media.Contracts).

/// <summary>A section the client sends: its mid, its source (microphone, camera, screen, screen-audio), its simulcast layers low to high.</summary>
public sealed record TrackPublication(string Mid, string Source, bool Muted = false, IReadOnlyList<SimulcastEncoding>? Layers = null);

public sealed record SimulcastEncoding(string Rid, int Width = 0, int Height = 0);

/// <summary>A <c>recvonly</c> section of the client and the track it is to carry.</summary>
public sealed record TrackSubscription(string Mid, string TrackId);

/// <summary>A published track as clients see it in <c>tracks</c>.</summary>
public sealed record TrackView(string Id, string ParticipantId, string Kind, string Source, bool Muted, int Layers);

public sealed record SpeakerView(string ParticipantId, double Level);
