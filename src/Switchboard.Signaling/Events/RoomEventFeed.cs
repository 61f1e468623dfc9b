using System.Security.Cryptography;

namespace Switchboard.Signaling.Events;

/// <summary>
/// The server's room events in the order they happened: numbered, kept (the last <see cref="HistorySize"/>, so a
/// stream that reconnects picks up where it was), and handed to every subscriber as they are raised. Subscribers must
/// not block: they queue the event and deliver it on their own (webhooks, the event stream), so a call never waits.
/// </summary>
public sealed class RoomEventFeed(TimeProvider time)
{
    public const int HistorySize = 1_000;

    private readonly Lock _gate = new();
    private readonly Queue<RoomEvent> _history = new();
    private readonly string _idPrefix = "ev_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant() + "_";
    private Action<RoomEvent>[] _subscribers = [];
    private long _sequence;

    /// <summary>Numbers the event, keeps it and hands it to each subscriber, in one order for all of them.</summary>
    public void Raise(string type, string room, Func<RoomEvent, RoomEvent>? details = null)
    {
        lock (_gate)
        {
            long sequence = ++_sequence;
            var raised = new RoomEvent(_idPrefix + sequence, sequence, type, room, time.GetUtcNow());
            if (details is not null) raised = details(raised);
            _history.Enqueue(raised);
            if (_history.Count > HistorySize) _history.Dequeue();
            foreach (Action<RoomEvent> subscriber in _subscribers) subscriber(raised);
        }
    }

    /// <summary>
    /// Adds a subscriber and returns, atomically with it, the kept events after <paramref name="afterSequence"/> (none
    /// for null): what it missed, with nothing raised in between lost or repeated.
    /// </summary>
    public IReadOnlyList<RoomEvent> Subscribe(Action<RoomEvent> subscriber, long? afterSequence = null)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscriber];
            return afterSequence is long after ? _history.Where(e => e.Sequence > after).ToList() : [];
        }
    }

    /// <summary>The room's last <paramref name="count"/> kept events, the oldest first.</summary>
    public IReadOnlyList<RoomEvent> Recent(string room, int count)
    {
        lock (_gate) return _history.Where(e => e.Room == room).TakeLast(count).ToList();
    }

    public void Unsubscribe(Action<RoomEvent> subscriber)
    {
        lock (_gate) _subscribers = [.. _subscribers.Where(s => s != subscriber)];
    }
}
