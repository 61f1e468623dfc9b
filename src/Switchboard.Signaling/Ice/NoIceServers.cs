namespace Switchboard.Signaling.Ice;

/// <summary>The source used when the host registers none: participants get no ICE servers (host candidates only).</summary>
public sealed class NoIceServers : IIceServerSource
{
    public IReadOnlyList<IceServer> For(string identity, string requestHost) => [];
}
