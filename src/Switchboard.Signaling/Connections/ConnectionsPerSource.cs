namespace Switchboard.Signaling.Connections;

/// <summary>
/// Open connections by source (<see cref="ConnectionSource"/>), capped per source. A source has an entry only while it
/// holds a connection, so the table never has more entries than there are connections, whatever the addresses.
/// </summary>
public sealed class ConnectionsPerSource(int limit)
{
    readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>Counts one more connection from <paramref name="source"/>; false when it already holds the limit.</summary>
    public bool TryAdd(string source)
    {
        lock (_counts)
        {
            _counts.TryGetValue(source, out int count);
            if (count >= limit) return false;
            _counts[source] = count + 1;
            return true;
        }
    }

    public void Remove(string source)
    {
        lock (_counts)
        {
            if (!_counts.TryGetValue(source, out int count)) return;
            if (count <= 1) _counts.Remove(source);
            else _counts[source] = count - 1;
        }
    }
}
