namespace Switchboard.Signaling.Rooms;

/// <summary>How a room's participants exchange media (docs/signaling.md, "Media through the SFU").</summary>
public static class MediaModes
{
    /// <summary>Everyone sends once to the media server, which forwards.</summary>
    public const string Sfu = "sfu";

    /// <summary>Everyone calls everyone (a mesh); fine for two.</summary>
    public const string P2p = "p2p";

    public static bool IsValid(string? mode) => mode is Sfu or P2p;
}
