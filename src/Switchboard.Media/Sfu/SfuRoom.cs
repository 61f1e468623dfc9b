using Switchboard.Protocols.Bwe;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;
using Microsoft.Extensions.Logging;
using Switchboard.Media.Peers;
using Switchboard.Signaling.Media;

namespace Switchboard.Media.Sfu;

/// <summary>
/// One room of the SFU: its participants, their published tracks and subscriptions, and the room-wide work done on the
/// participants' timers (active speakers, which simulcast layers publishers may pause). Structure changes happen under
/// the room's lock; the forwarding path reads copy-on-write snapshots and takes no room lock.
/// </summary>
internal sealed partial class SfuRoom(string name, SfuService service)
{
    private const int SpeakerIntervalMillis = 300, LayerDemandIntervalMillis = 500, MaxSpeakers = 5;

    private readonly Lock _gate = new();
    private readonly Lock _speakerGate = new();
    private readonly Dictionary<string, SfuParticipant> _participants = [];
    private readonly ActiveSpeakerDetector _speakers = new();
    private readonly Dictionary<string, bool[]> _layerDemand = [];
    private long _nextSpeakersAt, _nextLayerDemandAt;
    private string? _loudest, _loudestCandidate;
    private string[] _speakerIds = [];

    public string Name { get; } = name;
    public SfuService Service { get; } = service;

    public bool IsEmpty
    {
        get { lock (_gate) return _participants.Count == 0; }
    }

    public IReadOnlyList<TrackView> Tracks()
    {
        lock (_gate) return _participants.Values.SelectMany(p => p.Published.Values).Select(t => t.View).OrderBy(t => t.Id, StringComparer.Ordinal).ToList();
    }

    public bool SetMuted(string participantId, string source, bool muted)
    {
        lock (_gate)
        {
            if (!_participants.TryGetValue(participantId, out var participant) || !participant.Published.TryGetValue(source, out var track)) return false;
            if (track.Muted == muted) return true;
            track.Muted = muted;
            // Subscribers see no gap for what was not sent; video resumes at the keyframe their layer selection asks for.
            if (muted) foreach (DownTrack down in track.Subscribers) down.Pause();
        }
        if (muted && source is "microphone") lock (_speakerGate) _speakers.Remove(participantId);
        Service.RaiseTracksChanged(Name);
        return true;
    }

    public void SetTrackSettings(string participantId, string trackId, int width, int height, bool enabled)
    {
        lock (_gate)
        {
            if (!_participants.TryGetValue(participantId, out var participant)) return;
            foreach (DownTrack down in participant.Subscriptions.Values)
            {
                if (down.Track.Id != trackId) continue;
                down.RenderedWidth = width;
                down.RenderedHeight = height;
                down.SetEnabled(enabled);
            }
        }
    }

    /// <summary>The participant leaves: its connection closes, its tracks go from every subscriber, its subscriptions end.</summary>
    public void Leave(string participantId)
    {
        bool hadTracks;
        MediaPeer? peer;
        lock (_gate)
        {
            if (!_participants.Remove(participantId, out var participant)) return;
            hadTracks = participant.Published.Count > 0;
            foreach (PublishedTrack track in participant.Published.Values.ToList()) Unpublish(participant, track);
            foreach (DownTrack down in participant.Subscriptions.Values) down.Track.Detach(down);
            participant.Subscriptions.Clear();
            peer = participant.Peer;
            participant.Peer = null;
        }
        lock (_speakerGate) _speakers.Remove(participantId);
        peer?.Close("left the room");
        if (hadTracks) Service.RaiseTracksChanged(Name);
    }

    /// <summary>Removes a track: every subscriber's stream of it stops (under the room's lock).</summary>
    private static void Unpublish(SfuParticipant owner, PublishedTrack track)
    {
        owner.Published.Remove(track.Source);
        foreach (DownTrack down in track.Subscribers)
        {
            track.Detach(down);
            down.Subscriber.Subscriptions.Remove(down.Mid);
            down.Subscriber.Reroute();
        }
    }

    /// <summary>The participant's connection ended (consent lapsed, DTLS closed): its tracks stay until it leaves or offers again.</summary>
    public void OnPeerClosed(SfuParticipant participant, string reason)
    {
        lock (_gate)
            if (participant.Peer is { IsClosed: true }) participant.Peer = null;
        Service.Logger.LogDebug("SFU room {Room}: the connection of {Participant} ended: {Reason}", Name, participant.Id, reason);
    }

    public void RecordAudioLevel(string participantId, byte level, long nowMillis)
    {
        lock (_speakerGate) _speakers.Record(participantId, level, nowMillis);
    }

    /// <summary>Room-wide work, run by whichever participant's timer comes first once it is due.</summary>
    public void OnTimer(long nowMillis)
    {
        long due = Volatile.Read(ref _nextSpeakersAt);
        if (nowMillis >= due && Interlocked.CompareExchange(ref _nextSpeakersAt, nowMillis + SpeakerIntervalMillis, due) == due)
        {
            IReadOnlyList<SpeakerLevel>? speakers = null;
            lock (_speakerGate)
            {
                _speakers.TryUpdate(nowMillis, MaxSpeakers, out var current); // the ranking now, whatever the detector calls a change
                if (IsNewSpeakerSet(current)) speakers = current.OrderBy(s => s.ParticipantId == _loudest ? 0 : 1).ToList(); // the settled loudest first
            }
            if (speakers is not null) Service.RaiseSpeakersChanged(Name, speakers.Select(s => new SpeakerView(s.ParticipantId, Math.Round(s.Level, 2))).ToList());
        }
        due = Volatile.Read(ref _nextLayerDemandAt);
        if (nowMillis >= due && Interlocked.CompareExchange(ref _nextLayerDemandAt, nowMillis + LayerDemandIntervalMillis, due) == due)
        {
            UpdateLayerDemand();
            CheckBitrates(nowMillis);
        }
    }

    /// <summary>
    /// Whether clients need to hear of this list (under the speaker lock): who speaks at all changed, or another
    /// participant has been the loudest for two updates in a row. Reordering among similar levels, which happens every few
    /// hundred milliseconds, is not news.
    /// </summary>
    private bool IsNewSpeakerSet(IReadOnlyList<SpeakerLevel> speakers)
    {
        string? loudest = speakers.Count > 0 ? speakers[0].ParticipantId : null;
        var ids = speakers.Select(s => s.ParticipantId).Order(StringComparer.Ordinal).ToArray();
        bool newLoudest = loudest != _loudest && loudest == _loudestCandidate;
        _loudestCandidate = loudest;
        if (!newLoudest && ids.SequenceEqual(_speakerIds)) return false;
        if (newLoudest || _loudest is null || !ids.Contains(_loudest)) _loudest = loudest;
        _speakerIds = ids;
        return true;
    }

    /// <summary>
    /// Per-participant bit rate (Media:Sfu:MaxBitratePerParticipant): the answer's b=AS asks browsers to stay below it;
    /// one that sends more than twice as much for 5 s has its video no longer forwarded, and is told, until it slows down.
    /// </summary>
    private void CheckBitrates(long nowMillis)
    {
        long limit = Service.Options.Sfu.MaxBitratePerParticipant;
        var warned = new List<(string Participant, long Bitrate)>();
        lock (_gate)
        {
            foreach (SfuParticipant participant in _participants.Values)
            {
                long bitrate = participant.Published.Values.Sum(t => t.Setup.Layers.Sum(l => l.Bitrate.BitsPerSecond(nowMillis)));
                bool over = bitrate > 2 * limit;
                participant.OverLimitChecks = over ? participant.OverLimitChecks + 1 : 0;
                bool throttled = participant.OverLimitChecks >= 5000 / LayerDemandIntervalMillis; // released once it is under again
                if (throttled == participant.Throttled) continue;
                participant.Throttled = throttled;
                foreach (PublishedTrack track in participant.Published.Values.Where(t => t.IsVideo))
                {
                    track.Throttled = participant.Throttled;
                    if (track.Throttled) foreach (DownTrack down in track.Subscribers) down.Pause();
                }
                if (participant.Throttled) warned.Add((participant.Id, bitrate));
            }
        }
        foreach (var (participant, bitrate) in warned)
            Service.RaiseParticipantWarned(Name, participant, Signaling.Protocol.ErrorCodes.BitrateLimit,
                $"you send {bitrate / 1000} kbit/s, more than twice the {limit / 1000} kbit/s allowed (Media:Sfu:MaxBitratePerParticipant): your video is not forwarded until you send less");
    }

    /// <summary>
    /// Tells publishers which simulcast layers someone wants (RFC 8853 streams nobody needs can be paused at the sender);
    /// the lowest always stays on, so a new subscriber starts at once.
    /// </summary>
    private void UpdateLayerDemand()
    {
        var changed = new List<(string Owner, string Track, bool[] Active)>();
        lock (_gate)
        {
            foreach (PublishedTrack track in _participants.Values.SelectMany(p => p.Published.Values))
            {
                int count = track.Setup.Layers.Length;
                if (!track.IsVideo || count < 2) continue;
                var active = new bool[count];
                active[0] = true;
                foreach (DownTrack down in track.Subscribers)
                {
                    if (down.WantedLayer >= 0 && down.WantedLayer < count) active[down.WantedLayer] = true;
                    if (down.TargetLayer >= 0 && down.TargetLayer < count) active[down.TargetLayer] = true;
                    if (down.CurrentLayer >= 0 && down.CurrentLayer < count) active[down.CurrentLayer] = true; // until the switch's keyframe
                }
                if (_layerDemand.TryGetValue(track.Id, out var previous) && previous.AsSpan().SequenceEqual(active)) continue;
                _layerDemand[track.Id] = active;
                changed.Add((track.Owner.Id, track.Id, active));
            }
        }
        foreach (var (owner, track, active) in changed) Service.RaiseLayersChanged(Name, owner, track, active);
    }
}
