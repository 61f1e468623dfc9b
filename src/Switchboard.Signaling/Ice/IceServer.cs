namespace Switchboard.Signaling.Ice;

/// <summary>One entry of <c>RTCConfiguration.iceServers</c>, as the <c>joined</c> message carries it.</summary>
public sealed class IceServer
{
    public string[] Urls { get; set; } = [];
    public string? Username { get; set; }
    public string? Credential { get; set; }
}
