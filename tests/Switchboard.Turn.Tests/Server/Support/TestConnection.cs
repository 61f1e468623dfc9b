using System.Net;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn.Tests.Server.Support;

/// <summary>
/// A client 5-tuple without a socket: whatever the server sends is recorded. The relay's receive loop
/// sends from its own thread, so the record is locked and can be waited on.
/// </summary>
internal sealed class TestConnection(ClientTransport transport, IPEndPoint remote)
    : ClientConnection(transport, remote, new IPEndPoint(IPAddress.Loopback, 3478))
{
    private readonly List<byte[]> _sent = [];

    public bool Closed { get; private set; }

    public int PendingCount
    {
        get { lock (_sent) return _sent.Count; }
    }

    public override void Send(ReadOnlySpan<byte> message)
    {
        var copy = message.ToArray();
        lock (_sent)
        {
            _sent.Add(copy);
            Monitor.PulseAll(_sent);
        }
    }

    public override void Close() => Closed = true;

    /// <summary>The first recorded message that matches, removed from the record; null after the timeout.</summary>
    public byte[]? TryTake(Func<byte[], bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_sent)
        {
            while (true)
            {
                int index = _sent.FindIndex(m => match(m));
                if (index >= 0)
                {
                    var message = _sent[index];
                    _sent.RemoveAt(index);
                    return message;
                }
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) return null;
                Monitor.Wait(_sent, left);
            }
        }
    }

    public byte[]? TryTake(TimeSpan timeout) => TryTake(_ => true, timeout);

    /// <summary>Everything recorded so far, removed from the record.</summary>
    public List<byte[]> TakeAll()
    {
        lock (_sent)
        {
            var all = new List<byte[]>(_sent);
            _sent.Clear();
            return all;
        }
    }
}
