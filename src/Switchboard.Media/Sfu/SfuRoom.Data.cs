using Switchboard.Media.Contracts;
using Switchboard.Media.Sfu.Data;

namespace Switchboard.Media.Sfu;

// The room's data bus: messages from participants' data channels and from server code, to everyone, some, or server code only.
internal sealed partial class SfuRoom
{
    /// <summary>Participants with data channels, replaced whole under the room's lock and read without it.</summary>
    private SfuParticipant[] _dataParticipants = [];

    /// <summary>Under the room's lock, after a participant's data channels came or went.</summary>
    private void RefreshDataSnapshot() =>
        Volatile.Write(ref _dataParticipants, _participants.Values.Where(p => p.Data is not null).ToArray());

    /// <summary>
    /// Carries messages (those of one packet, in order): to each recipient's data channels (everyone but the sender when
    /// a message names none), and to server code watching the room. The sender (null: server code) is set here, never
    /// taken from a message. A sender whose message is larger than a recipient accepts is told.
    /// </summary>
    public DataSendOutcome RouteData(SfuParticipant? sender, IReadOnlyList<DataMessage> messages, long nowMillis)
    {
        var outgoing = messages.Select(m => new OutgoingData(sender?.Id, m)).ToArray();
        int queued = 0, dropped = 0;
        var batch = new List<OutgoingData>(outgoing.Length);
        var tooLarge = new List<OutgoingData>();
        var tooLargeFor = new List<(OutgoingData Data, string Recipient)>();
        foreach (SfuParticipant recipient in Volatile.Read(ref _dataParticipants))
        {
            if (recipient == sender || recipient.Data is not { } data) continue;
            batch.Clear();
            foreach (OutgoingData item in outgoing)
                if (item.Message.To is not { Count: 0 } && (item.Message.To is not { } to || to.Contains(recipient.Id))) batch.Add(item);
            if (batch.Count == 0) continue;
            tooLarge.Clear();
            int delivered = data.Deliver(batch, nowMillis, tooLarge);
            queued += delivered;
            dropped += batch.Count - delivered;
            foreach (OutgoingData large in tooLarge) tooLargeFor.Add((large, recipient.Id));
        }
        if (sender?.Data is { } own)
            foreach (var group in tooLargeFor.GroupBy(t => t.Data))
                own.Notice("message-too-large", $"a message of {group.Key.Message.Payload.Length} bytes is larger than {string.Join(", ", group.Select(g => g.Recipient))} accept", nowMillis);
        foreach (OutgoingData item in outgoing) Service.PublishData(new RoomDataMessage(Name, sender?.Id, item.Message));
        return new DataSendOutcome(queued, dropped);
    }
}
