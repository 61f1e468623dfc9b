using System.Net;

namespace Switchboard.Turn.Transports;

/// <summary>
/// Connections per source (<see cref="SourceKey"/>) across the TCP and TLS listeners of a server (Turn:MaxConnectionsPerSource),
/// so that one machine cannot hold the connections every other client needs.
/// </summary>
public sealed class SourceConnectionLimiter(int maxPerSource)
{
    private readonly Lock _sync = new();
    private readonly Dictionary<IPAddress, int> _connections = [];

    public int MaxPerSource { get; } = maxPerSource;

    /// <summary>Counts a new connection from <paramref name="source"/>; false (nothing counted) when the source has its maximum.</summary>
    public bool TryAcquire(IPAddress source)
    {
        var key = SourceKey.Of(source);
        lock (_sync)
        {
            int count = _connections.GetValueOrDefault(key);
            if (count >= MaxPerSource) return false;
            _connections[key] = count + 1;
            return true;
        }
    }

    public void Release(IPAddress source)
    {
        var key = SourceKey.Of(source);
        lock (_sync)
        {
            int count = _connections.GetValueOrDefault(key) - 1;
            if (count <= 0) _connections.Remove(key);
            else _connections[key] = count;
        }
    }
}
