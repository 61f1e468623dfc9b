namespace Switchboard.Media.Contracts;

/// <summary>
/// One message on a room's data bus: a topic the app chooses, the payload (UTF-8 text or binary, possibly empty),
/// whether it is sent reliably (ordered, retransmitted) or lossy (unordered, never retransmitted), and its recipients
/// (null: everyone in the room but the sender).
/// </summary>
public sealed record DataMessage(string Topic, ReadOnlyMemory<byte> Payload, bool IsText = false, bool Reliable = true,
    IReadOnlyList<string>? To = null)
{
    /// <summary>Longest topic in UTF-8 bytes.</summary>
    public const int MaxTopicBytes = 255;

    /// <summary>Most recipients one message may name.</summary>
    public const int MaxRecipients = 255;
}

/// <summary>A message as the room's data bus carried it: the room, who sent it (set by the server; null for server code), and the message.</summary>
public sealed record RoomDataMessage(string Room, string? From, DataMessage Message);

/// <summary>What became of a message sent by server code: how many participants it was queued for, and why the others missed it.</summary>
public sealed record DataSendOutcome(int Queued, int Dropped);

/// <summary>
/// The rooms' data bus for server code (and the REST API): send to a room or to some of its participants, and watch
/// everything sent in a room. Handlers run on the thread that carried the message and must not block.
/// </summary>
public interface IRoomData
{
    DataSendOutcome Send(string room, DataMessage message);

    /// <summary>Every message sent in the room from now on, including those addressed to the server only; dispose to stop.</summary>
    IDisposable Subscribe(string room, Action<RoomDataMessage> handler);
}
