namespace Switchboard.Signaling.Ice;

/// <summary>
/// Gives a participant its ICE servers. The host wires the implementation (it knows the TURN server's
/// ports and secret); signaling does not know the TURN server.
/// </summary>
public interface IIceServerSource
{
    /// <param name="identity">Put in the TURN REST username, so TURN logs name the participant.</param>
    /// <param name="requestHost">The host name the client used for the HTTP request (no port).</param>
    IReadOnlyList<IceServer> For(string identity, string requestHost);
}
