using Switchboard.Media.Recording;

namespace Switchboard.Media.Sfu;

/// <summary>The room's part in server-side recording: which of its tracks the room's recording (if any) follows.</summary>
internal sealed partial class SfuRoom
{
    /// <summary>Attaches the room's running recording to the tracks it includes and detaches it from the rest.</summary>
    public void SyncRecorders()
    {
        lock (_gate) SyncRecordersLocked();
    }

    private void SyncRecordersLocked()
    {
        RoomRecording? recording = Service.Recordings?.Active(Name);
        foreach (SfuParticipant participant in _participants.Values)
            foreach (PublishedTrack track in participant.Published.Values)
            {
                bool wanted = recording is not null && recording.Request.Includes(participant.Id, track.Id);
                if (track.Recorder is { } recorder && (!wanted || recorder.Recording != recording)) StopRecording(track);
                if (wanted && track.Recorder is null) track.UseRecorder(recording!.Attach(track));
            }
    }

    /// <summary>The track's recording ends (it went, or the recording stopped): its files are finished.</summary>
    private static void StopRecording(PublishedTrack track)
    {
        if (track.Recorder is not { } recorder) return;
        track.UseRecorder(null);
        recorder.Recording.Detach(track);
    }
}
