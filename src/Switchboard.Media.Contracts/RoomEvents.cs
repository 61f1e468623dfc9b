namespace Switchboard.Media.Contracts;

/// <summary>A published track as the room sees it; <paramref name="Codec"/>: the encoding its publisher sends ("VP8", "H264", "opus").</summary>
public sealed record TrackInfo(string Id, string ParticipantId, TrackSource Source, bool Muted, int Layers, string? Codec = null)
{
    public TrackKind Kind => Source.Kind();
}

/// <summary>A participant speaking now, and how loud (0..1).</summary>
public readonly record struct Speaker(string ParticipantId, double Level);

/// <summary>The room's speakers changed: who speaks, the loudest first.</summary>
public sealed record SpeakersChange(string Room, IReadOnlyList<Speaker> Speakers);

/// <summary>Which simulcast layers of a participant's track someone receives (low to high): it may pause the others.</summary>
public sealed record LayerDemand(string Room, string ParticipantId, string TrackId, IReadOnlyList<bool> Active);

/// <summary>A participant went over a limit while sending or receiving; the sentence names the setting.</summary>
public sealed record MediaWarning(string Room, string ParticipantId, MediaWarningKind Kind, string Message);

/// <summary>A participant's peer connection ended (the sentence says why); its tracks stay until it leaves or offers again.</summary>
public sealed record ConnectionEnd(string Room, string ParticipantId, string Reason);

public enum MediaWarningKind
{
    /// <summary>It sends far over Media:Sfu:MaxBitratePerParticipant; its video is held back until it slows down.</summary>
    BitrateLimit,

    /// <summary>It does not read its data channels: messages to it are dropped, and its data is cut off if it never catches up.</summary>
    DataBacklog,
}
