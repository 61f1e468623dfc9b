using Switchboard.Media.Contracts;
using Switchboard.Signaling.Events;
using Switchboard.Signaling.Rooms;

namespace Switchboard.Signaling;

// The room events webhooks and the event stream carry (docs/events.md): raised where the protocol's own messages are.
public sealed partial class SignalingHub
{
    readonly Lock _tracksGate = new();
    readonly Dictionary<string, Dictionary<string, TrackInfo>> _publishedTracks = new(StringComparer.Ordinal);

    /// <summary>
    /// Each room's participants as its events have told them: a room starts with the first join raised and finishes
    /// with the last leave, so that its events read in order even when joins race in the store.
    /// </summary>
    readonly Dictionary<string, int> _eventOccupancy = new(StringComparer.Ordinal);

    void RaiseEventsOfMedia()
    {
        _media.TracksChanged += RaiseTrackEvents;
        _recording.RecordingChanged += change => _events.Raise(
            change.Active ? RoomEventTypes.RecordingStarted : RoomEventTypes.RecordingFinished, change.Room,
            e => e with { Recording = _recording.Get(change.RecordingId) });
    }

    /// <summary>A participant joined; when nobody else was there, the room started with it.</summary>
    void RaiseJoined(string room, ParticipantInfo participant)
    {
        lock (_eventOccupancy)
        {
            int count = _eventOccupancy.GetValueOrDefault(room);
            if (count == 0) _events.Raise(RoomEventTypes.RoomStarted, room);
            _eventOccupancy[room] = count + 1;
            _events.Raise(RoomEventTypes.ParticipantJoined, room, e => e with { Participant = EventView(participant) });
        }
    }

    /// <summary>A participant left; when it was the last, the room finished.</summary>
    void RaiseLeft(string room, ParticipantInfo participant, string reason)
    {
        lock (_eventOccupancy)
        {
            _events.Raise(RoomEventTypes.ParticipantLeft, room, e => e with { Participant = EventView(participant), Reason = reason });
            int count = _eventOccupancy.GetValueOrDefault(room) - 1;
            if (count > 0)
            {
                _eventOccupancy[room] = count;
                return;
            }
            _eventOccupancy.Remove(room);
            _events.Raise(RoomEventTypes.RoomFinished, room);
        }
    }

    /// <summary>The media server's tracks of a room changed: what was published and unpublished since the last look.</summary>
    void RaiseTrackEvents(string room)
    {
        var now = _media.Tracks(room).ToDictionary(t => t.Id, StringComparer.Ordinal);
        lock (_tracksGate)
        {
            var before = _publishedTracks.GetValueOrDefault(room) ?? [];
            foreach (TrackInfo gone in before.Values.Where(t => !now.ContainsKey(t.Id)))
                _events.Raise(RoomEventTypes.TrackUnpublished, room, e => e with { Track = EventView(gone) });
            foreach (TrackInfo added in now.Values.Where(t => !before.ContainsKey(t.Id)))
                _events.Raise(RoomEventTypes.TrackPublished, room, e => e with { Track = EventView(added) });
            if (now.Count == 0) _publishedTracks.Remove(room);
            else _publishedTracks[room] = now;
        }
    }

    static RoomEventParticipant EventView(ParticipantInfo p) => new(p.Id, p.Identity, p.Name);

    static RoomEventTrack EventView(TrackInfo t) => new(t.Id, t.ParticipantId, t.Kind == TrackKind.Audio ? "audio" : "video", t.Source.Name());
}
