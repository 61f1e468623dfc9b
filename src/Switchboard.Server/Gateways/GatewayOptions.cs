namespace Switchboard.Server.Gateways;

/// <summary>Settings of the media server's gateways (section "Gateways").</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateways";

    /// <summary>The ffmpeg the gateways run: a name looked up on PATH (Debian package ffmpeg), or a path.</summary>
    public string Ffmpeg { get; set; } = "ffmpeg";
}
