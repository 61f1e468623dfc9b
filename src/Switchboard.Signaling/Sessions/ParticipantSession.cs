using System.Diagnostics;
using Switchboard.Signaling.Connections;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Signaling.Sessions;

/// <summary>
/// A participant on this node: outlives its WebSocket for the resume window. Messages to it get the next seq
/// and go into the resume buffer, then to the connection when one is attached; a lock keeps that order the
/// order on the wire.
/// </summary>
public sealed class ParticipantSession
{
    readonly Lock _lock = new();
    readonly ResumeBuffer _buffer;
    SignalingConnection? _connection;

    public ParticipantSession(string id, string identity, string room, Grants grants, string resumeToken, ResumeBuffer buffer)
    {
        Id = id;
        Identity = identity;
        Room = room;
        Grants = grants;
        ResumeToken = resumeToken;
        _buffer = buffer;
    }

    public string Id { get; }
    public string Identity { get; }
    public string Room { get; }

    /// <summary>What this participant may do in its room (token grants, narrowed by the room's publishers).</summary>
    public Grants Grants { get; set; }

    /// <summary>The connection now, or null while the participant waits for a resume.</summary>
    public SignalingConnection? Connection => Volatile.Read(ref _connection);

    /// <summary>The room's media mode when this participant joined (<see cref="Rooms.MediaModes"/>).</summary>
    public string MediaMode { get; set; } = Rooms.MediaModes.P2p;

    public string ResumeToken { get; private set; }

    /// <summary>The trace of its join, which its later offers and answers join (default while tracing is off).</summary>
    public ActivityContext Trace { get; set; }

    /// <summary>When the socket went away; null while connected.</summary>
    public DateTimeOffset? DisconnectedAt { get; private set; }

    /// <summary>Set once the participant has left for good: nothing is delivered any more.</summary>
    public bool Ended { get; private set; }

    /// <summary>The seq of the last message sent to this participant.</summary>
    public long LastSeq
    {
        get { lock (_lock) return _buffer.LastSeq; }
    }

    /// <summary>Which limit last made the resume buffer let messages go; null while it has kept everything.</summary>
    public ResumeLimit? LastDroppedBy
    {
        get { lock (_lock) return _buffer.LastDroppedBy; }
    }

    /// <summary>
    /// Numbers the message, keeps it for a resume and queues it to the connection. A connection that has not yet
    /// written messages the buffer no longer keeps has fallen too far behind: it is dropped, and its participant's
    /// resume fails, so that no queue holds what the resume buffers' limits let go.
    /// </summary>
    public void Deliver(OutboundMessage message)
    {
        lock (_lock)
        {
            if (Ended) return;
            long seq = _buffer.Append(message);
            if (_connection is not { } connection) return;
            if (connection.SentSeq < Math.Min(_buffer.FirstKeptSeq, seq) - 1) connection.Abort();
            else connection.Send(message, seq);
        }
    }

    /// <summary>
    /// Attaches a connection: sends <paramref name="welcome"/> (joined or resumed), then what it missed after
    /// <paramref name="lastSeq"/>, then live traffic. False when the missed messages are no longer kept.
    /// </summary>
    public bool Attach(SignalingConnection connection, Func<string, OutboundMessage> welcome, long lastSeq, string newResumeToken, out SignalingConnection? previous)
    {
        var missed = new List<(long Seq, OutboundMessage Message)>();
        lock (_lock)
        {
            previous = null;
            if (Ended || !_buffer.TryGetAfter(lastSeq, missed)) return false;
            previous = _connection;
            ResumeToken = newResumeToken;
            _connection = connection;
            connection.SentSeq = lastSeq;
            DisconnectedAt = null;
            connection.Send(welcome(newResumeToken));
            foreach (var (seq, message) in missed) connection.Send(message, seq);
            return true;
        }
    }

    /// <summary>The socket went away: keep the session for the resume window. False if another connection had taken over.</summary>
    public bool Detach(SignalingConnection connection, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_connection != connection) return false;
            _connection = null;
            DisconnectedAt = now;
            return true;
        }
    }

    /// <summary>The participant leaves: its resume buffer is let go, and the connection it had, if any, is returned for closing.</summary>
    public SignalingConnection? End()
    {
        lock (_lock)
        {
            Ended = true;
            _buffer.Clear();
            var connection = _connection;
            _connection = null;
            return connection;
        }
    }
}
