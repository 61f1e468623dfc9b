namespace Switchboard.Media.Contracts;

/// <summary>Where a published track comes from; a participant publishes at most one track per source.</summary>
public enum TrackSource
{
    Microphone,
    Camera,
    Screen,
    ScreenAudio,
}

public enum TrackKind
{
    Audio,
    Video,
}

/// <summary>The sources' names (as clients write them) and the rule for a track's id: <c>participant/source</c>.</summary>
public static class TrackSources
{
    private static readonly string[] SourceNames = ["microphone", "camera", "screen", "screen-audio"];

    /// <summary>Every source's name, in the enum's order.</summary>
    public static IReadOnlyList<string> Names => SourceNames;

    public static string Name(this TrackSource source) => SourceNames[(int)source];

    public static bool TryParse(string? name, out TrackSource source)
    {
        int index = Array.IndexOf(SourceNames, name);
        source = (TrackSource)Math.Max(index, 0);
        return index >= 0;
    }

    public static TrackKind Kind(this TrackSource source) =>
        source is TrackSource.Microphone or TrackSource.ScreenAudio ? TrackKind.Audio : TrackKind.Video;

    /// <summary>The SDP media type of a kind (<c>m=audio</c>, <c>m=video</c>).</summary>
    public static string MediaType(this TrackKind kind) => kind == TrackKind.Audio ? "audio" : "video";

    /// <summary>A track's id: unique in its room, and the same across its publisher's reconnects.</summary>
    public static string TrackId(string participantId, TrackSource source) => participantId + "/" + source.Name();
}
