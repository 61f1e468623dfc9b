using Microsoft.Extensions.Logging;
using Switchboard.Media.Contracts;
using Switchboard.Media.Peers;
using Switchboard.Media.Sfu.Selection;

namespace Switchboard.Media.Sfu;

/// <summary>
/// One room of the SFU: its participants, their published tracks and subscriptions, and the room-wide work done on the
/// participants' timers (active speakers, which simulcast layers publishers may pause, the bit rate limit).
/// Threading (docs/architecture.md, "The SFU"): the room's structure has one writer, the room's lock, taken by the
/// calls from signaling and by the room-wide work; the packet paths take no room lock and read what it publishes as
/// snapshots. Events are raised after the lock is let go.
/// </summary>
internal sealed partial class SfuRoom(string name, SfuService service)
{
    public const int SpeakerIntervalMillis = 300, LayerDemandIntervalMillis = 500, MaxSpeakers = 5;

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
    public ILogger Logger => Service.Logger;

    public bool IsEmpty
    {
        get { lock (_gate) return _participants.Count == 0; }
    }

    /// <summary>A participant of the room (for tests and diagnostics).</summary>
    public SfuParticipant? Participant(string id)
    {
        lock (_gate) return _participants.GetValueOrDefault(id);
    }

    public IReadOnlyList<ParticipantMediaStatistics> Statistics(long nowMillis)
    {
        SfuParticipant[] participants;
        lock (_gate) participants = _participants.Values.ToArray();
        return participants.Select(p => p.Statistics(nowMillis)).OrderBy(p => p.ParticipantId, StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<TrackInfo> Tracks()
    {
        lock (_gate) return _participants.Values.SelectMany(p => p.Published.Values).Select(t => t.Info).OrderBy(t => t.Id, StringComparer.Ordinal).ToList();
    }

    public bool SetMuted(string participantId, TrackSource source, bool muted)
    {
        lock (_gate)
        {
            if (!_participants.TryGetValue(participantId, out var participant) || !participant.Published.TryGetValue(source, out var track)) return false;
            if (!track.SetMuted(muted)) return true;
        }
        if (muted && source == TrackSource.Microphone) lock (_speakerGate) _speakers.Remove(participantId);
        Service.RaiseTracksChanged(Name);
        return true;
    }

    public void SetTrackSettings(string participantId, string trackId, TrackSettings settings)
    {
        lock (_gate)
        {
            if (!_participants.TryGetValue(participantId, out var participant)) return;
            foreach (DownTrack down in participant.Subscriptions.Values)
                if (down.Track.Id == trackId) down.SetRendering(settings);
        }
    }

    /// <summary>The participant leaves: its connection closes, its tracks go from every subscriber, its subscriptions end.</summary>
    public void Leave(string participantId)
    {
        bool hadTracks;
        IMediaConnection? connection;
        lock (_gate)
        {
            if (!_participants.Remove(participantId, out var participant)) return;
            hadTracks = participant.Published.Count > 0;
            foreach (PublishedTrack track in participant.Published.Values.ToList()) Unpublish(participant, track);
            foreach (DownTrack down in participant.Subscriptions.Values) down.Track.Detach(down);
            participant.Subscribe(new Dictionary<string, DownTrack>());
            connection = participant.Connection;
            participant.UseData(null);
            participant.UseConnection(null);
            RefreshDataSnapshot();
        }
        lock (_speakerGate) _speakers.Remove(participantId);
        connection?.Close("left the room");
        if (hadTracks) Service.RaiseTracksChanged(Name);
    }

    /// <summary>Removes a track: every subscriber's stream of it stops (under the room's lock).</summary>
    private static void Unpublish(SfuParticipant owner, PublishedTrack track)
    {
        owner.Unpublish(track);
        StopRecording(track);
        foreach (DownTrack down in track.Subscribers)
        {
            track.Detach(down);
            down.Subscriber.Unsubscribe(down.Mid);
        }
    }

    /// <summary>The participant's connection ended (consent lapsed, DTLS closed): its tracks stay until it leaves or offers again.</summary>
    public void OnConnectionClosed(SfuParticipant participant, IMediaConnection connection, string reason)
    {
        bool current;
        lock (_gate)
        {
            current = participant.Connection == connection;
            if (current)
            {
                participant.UseData(null);
                participant.UseConnection(null);
                RefreshDataSnapshot();
            }
        }
        Logger.LogDebug("SFU room {Room}: the connection of {Participant} ended: {Reason}", Name, participant.Id, reason);
        if (current) Service.RaiseConnectionEnded(new ConnectionEnd(Name, participant.Id, reason));
    }

    public void RecordAudioLevel(string participantId, byte level, long nowMillis)
    {
        lock (_speakerGate) _speakers.Record(participantId, level, nowMillis);
    }

    /// <summary>Room-wide work, run by whichever participant's timer comes first once it is due.</summary>
    public void OnTimer(long nowMillis)
    {
        if (TakeDue(ref _nextSpeakersAt, SpeakerIntervalMillis, nowMillis)) UpdateSpeakers(nowMillis);
        if (TakeDue(ref _nextLayerDemandAt, LayerDemandIntervalMillis, nowMillis))
        {
            UpdateLayerDemand();
            CheckBitrates(nowMillis);
        }
    }

    /// <summary>True for the one caller that finds <paramref name="dueAt"/> passed and moves it one interval on.</summary>
    private static bool TakeDue(ref long dueAt, int intervalMillis, long nowMillis)
    {
        long due = Volatile.Read(ref dueAt);
        return nowMillis >= due && Interlocked.CompareExchange(ref dueAt, nowMillis + intervalMillis, due) == due;
    }

    private void UpdateSpeakers(long nowMillis)
    {
        List<Speaker>? speakers = null;
        lock (_speakerGate)
        {
            _speakers.TryUpdate(nowMillis, MaxSpeakers, out var current); // the ranking now, whatever the detector calls a change
            if (IsNewSpeakerSet(current))
                speakers = current.OrderBy(s => s.ParticipantId == _loudest ? 0 : 1).Select(s => new Speaker(s.ParticipantId, Math.Round(s.Level, 2))).ToList(); // the settled loudest first
        }
        if (speakers is not null) Service.RaiseSpeakersChanged(new SpeakersChange(Name, speakers));
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
        long limit = Service.Limits.MaxBitratePerParticipant;
        var warned = new List<(string Participant, long Bitrate)>();
        lock (_gate)
        {
            foreach (SfuParticipant participant in _participants.Values)
            {
                long bitrate = participant.Published.Values.Sum(t => t.Setup.Layers.Sum(l => l.BitsPerSecond(nowMillis)));
                if (participant.CheckBitrate(bitrate, limit) && participant.Held) warned.Add((participant.Id, bitrate));
            }
        }
        foreach (var (participant, bitrate) in warned)
            Service.RaiseParticipantWarned(new MediaWarning(Name, participant, MediaWarningKind.BitrateLimit,
                $"you send {bitrate / 1000} kbit/s, more than twice the {limit / 1000} kbit/s allowed (Media:Sfu:MaxBitratePerParticipant): your video is not forwarded until you send less"));
    }

    /// <summary>
    /// Tells publishers which simulcast layers someone wants (RFC 8853 streams nobody needs can be paused at the sender);
    /// the lowest always stays on, so a new subscriber starts at once.
    /// </summary>
    private void UpdateLayerDemand()
    {
        var changed = new List<LayerDemand>();
        lock (_gate)
        {
            var simulcast = new HashSet<string>(StringComparer.Ordinal);
            foreach (PublishedTrack track in _participants.Values.SelectMany(p => p.Published.Values))
            {
                int count = track.Setup.Layers.Length;
                if (!track.IsVideo || count < 2) continue;
                simulcast.Add(track.Id);
                var active = new bool[count];
                active[0] = true;
                if (track.Recorder is not null) active[^1] = true; // a recording takes the best layer
                foreach (DownTrack down in track.Subscribers)
                {
                    LayerChoice layers = down.Layers;
                    foreach (int? layer in (ReadOnlySpan<int?>)[layers.Wanted, layers.Target, layers.Forwarded]) // forwarded: until the switch's keyframe
                        if (layer is >= 0 and int index && index < count) active[index] = true;
                }
                if (_layerDemand.TryGetValue(track.Id, out var previous) && previous.AsSpan().SequenceEqual(active)) continue;
                _layerDemand[track.Id] = active;
                changed.Add(new LayerDemand(Name, track.Owner.Id, track.Id, active));
            }
            // Tracks that went (or no longer send simulcast) are forgotten: the room keeps no entry per track it ever
            // had, and a track published again under the same id is told its demand afresh.
            if (_layerDemand.Count > simulcast.Count)
                foreach (string gone in _layerDemand.Keys.Where(id => !simulcast.Contains(id)).ToList()) _layerDemand.Remove(gone);
        }
        foreach (LayerDemand demand in changed) Service.RaiseLayersChanged(demand);
    }
}
