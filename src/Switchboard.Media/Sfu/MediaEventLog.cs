using Switchboard.Media.Contracts;

namespace Switchboard.Media.Sfu;

/// <summary>
/// The last things that happened to one participant's media, for the admin dashboard: a ring of <see cref="Capacity"/>
/// entries where an entry like the one before it (a keyframe asked for again) only moves its time and counts, so a
/// participant that asks a thousand times costs one entry. Thread-safe.
/// </summary>
internal sealed class MediaEventLog(TimeProvider time)
{
    public const int Capacity = 32;

    private readonly Lock _gate = new();
    private readonly Queue<Entry> _entries = new(Capacity);
    private Entry? _last;

    public void Add(string kind, string detail)
    {
        long at = time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_gate)
        {
            if (_last is { } last && last.Kind == kind && last.Detail == detail)
            {
                last.At = at;
                last.Count++;
                return;
            }
            if (_entries.Count == Capacity) _entries.Dequeue();
            _last = new Entry(at, kind, detail);
            _entries.Enqueue(_last);
        }
    }

    /// <summary>The entries, the oldest first.</summary>
    public IReadOnlyList<MediaEventEntry> Read()
    {
        lock (_gate) return _entries.Select(e => new MediaEventEntry(e.At, e.Kind, e.Detail, e.Count)).ToList();
    }

    private sealed class Entry(long at, string kind, string detail)
    {
        public long At { get; set; } = at;
        public string Kind { get; } = kind;
        public string Detail { get; } = detail;
        public int Count { get; set; } = 1;
    }
}
