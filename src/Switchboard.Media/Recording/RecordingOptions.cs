namespace Switchboard.Media.Recording;

/// <summary>Server-side recording ("Media:Recording").</summary>
public sealed class RecordingOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Where recordings go, a directory each; relative paths are under the server's data directory.</summary>
    public string Directory { get; set; } = "recordings";

    /// <summary>A recording will not start, and one running stops cleanly, when the disk has less free space than this.</summary>
    public long MinFreeBytes { get; set; } = 256L * 1024 * 1024;
}
