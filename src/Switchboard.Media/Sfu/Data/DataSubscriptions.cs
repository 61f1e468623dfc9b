using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Switchboard.Media.Contracts;

namespace Switchboard.Media.Sfu.Data;

/// <summary>Server code watching rooms' data bus: handlers by room, called on the thread that carried each message.</summary>
internal sealed class DataSubscriptions(ILogger logger)
{
    private readonly ConcurrentDictionary<string, Action<RoomDataMessage>[]> _handlers = new(StringComparer.Ordinal);

    public IDisposable Add(string room, Action<RoomDataMessage> handler)
    {
        _handlers.AddOrUpdate(room, [handler], (_, current) => [.. current, handler]);
        return new Subscription(this, room, handler);
    }

    public void Publish(RoomDataMessage message)
    {
        if (!_handlers.TryGetValue(message.Room, out var handlers)) return;
        foreach (var handler in handlers)
        {
            try { handler(message); }
            catch (Exception e) { logger.LogWarning(e, "A data bus handler of room {Room} failed", message.Room); }
        }
    }

    private void Remove(string room, Action<RoomDataMessage> handler)
    {
        while (_handlers.TryGetValue(room, out var current))
        {
            var rest = current.Where(h => h != handler).ToArray();
            if (rest.Length == 0 ? _handlers.TryRemove(new(room, current)) : _handlers.TryUpdate(room, rest, current)) return;
        }
    }

    private sealed class Subscription(DataSubscriptions owner, string room, Action<RoomDataMessage> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Remove(room, handler);
        }
    }
}
