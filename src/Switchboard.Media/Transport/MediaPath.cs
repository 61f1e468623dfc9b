using System.Net;

namespace Switchboard.Media.Transport;

/// <summary>
/// One way to reach a peer: a remote UDP address on the host's socket, or one ICE-TCP connection. The ICE agent keeps
/// the paths its checks succeeded on and selects one; media goes out on the selected path.
/// </summary>
public abstract class MediaPath
{
    public abstract IPEndPoint Remote { get; }

    /// <summary>"udp" or "tcp", as in candidates.</summary>
    public abstract string Protocol { get; }

    /// <summary>Sends one packet; never blocks (a full TCP queue drops it, as a full network would).</summary>
    public abstract void Send(ReadOnlySpan<byte> packet);

    public override string ToString() => $"{Protocol} {Remote}";
}
