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
    /// Carries one message: to each recipient's data channels (everyone but the sender when it names none), and to server
    /// code watching the room. The sender (null: server code) is set here, never taken from the message.
    /// </summary>
    public DataSendOutcome RouteData(SfuParticipant? sender, DataMessage message, long nowMillis)
    {
        int queued = 0, dropped = 0;
        var tooLarge = new List<string>();
        var outgoing = new OutgoingData(sender?.Id, message);
        if (message.To is not { Count: 0 })
        {
            foreach (SfuParticipant recipient in Volatile.Read(ref _dataParticipants))
            {
                if (recipient == sender || (message.To is { } to && !to.Contains(recipient.Id)) || recipient.Data is not { } data) continue;
                if (data.Deliver(outgoing, nowMillis, out bool large)) queued++;
                else
                {
                    dropped++;
                    if (large) tooLarge.Add(recipient.Id);
                }
            }
        }
        if (tooLarge.Count > 0 && sender?.Data is { } own)
            own.Notice("message-too-large", $"a message of {message.Payload.Length} bytes is larger than {string.Join(", ", tooLarge)} accept", nowMillis);
        Service.PublishData(new RoomDataMessage(Name, sender?.Id, message));
        return new DataSendOutcome(queued, dropped);
    }
}
