using System.Collections.Concurrent;

namespace Switchboard.Turn.Diagnostics;

/// <summary>How many times each reason came up; the reasons are the server's own constants, so the set stays small.</summary>
internal sealed class ReasonTally
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Add(string reason) => _counts.AddOrUpdate(reason, 1, (_, count) => count + 1);

    public IReadOnlyDictionary<string, long> Read() => new SortedDictionary<string, long>(_counts, StringComparer.Ordinal);
}
