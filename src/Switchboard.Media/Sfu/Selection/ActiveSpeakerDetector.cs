using Switchboard.Protocols.Bwe;
namespace Switchboard.Media.Sfu.Selection;

/// <summary>
/// Who is speaking, from the audio levels participants' packets carry (RFC 6464: 0..127 = -dBov, 0 loudest, 127
/// silence). A packet louder than the threshold is sound, and so is every packet in the hangover after it, as a
/// voice activity detector bridges the gaps between syllables; this also makes a short beep every half second (what
/// Chromium's fake microphone sends) count as speaking. A participant speaks when at least the minimum ratio of its
/// packets in the window are sound, and ranks by its level: the mean over the window's packets of how far each is above
/// the threshold (0 at the threshold or below, 1 at 0 dBov). Each participant's counters live in ten time buckets,
/// allocated with its first packet. Not thread-safe: the owner serializes calls.
/// </summary>
public sealed class ActiveSpeakerDetector
{
    private const int Buckets = 10;
    private const int HangoverMillis = 200;
    private const byte Silence = 127;

    private readonly int _windowMillis;
    private readonly int _threshold;
    private readonly double _minActiveRatio;
    private readonly Dictionary<string, Participant> _participants = new(StringComparer.Ordinal);
    private string[] _lastIds = [];

    /// <param name="windowMillis">How far back packets count.</param>
    /// <param name="threshold">In -dBov: packets louder than this (a lower level) are sound.</param>
    /// <param name="minActiveRatio">The share of a participant's packets in the window that must be sound for it to speak.</param>
    public ActiveSpeakerDetector(int windowMillis = 1000, int threshold = 60, double minActiveRatio = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowMillis, Buckets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threshold);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threshold, Silence);
        ArgumentOutOfRangeException.ThrowIfNegative(minActiveRatio);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minActiveRatio, 1);
        _windowMillis = windowMillis;
        _threshold = threshold;
        _minActiveRatio = minActiveRatio;
    }

    /// <summary>One audio packet's level (RFC 6464 §3; a value above 127 counts as silence).</summary>
    public void Record(string participantId, byte level, long nowMillis)
    {
        if (!_participants.TryGetValue(participantId, out var participant))
            _participants.Add(participantId, participant = new Participant(_windowMillis));
        bool loud = level < _threshold;
        if (loud) participant.SoundUntil = nowMillis + HangoverMillis;
        ref var bucket = ref participant.Window.At(nowMillis);
        bucket.Packets++;
        if (nowMillis < participant.SoundUntil) bucket.Sound++;
        if (loud) bucket.Loudness += _threshold - level;
    }

    public void Remove(string participantId) => _participants.Remove(participantId);

    /// <summary>
    /// The speakers now, loudest first (ties by id), at most <paramref name="maxSpeakers"/>. A participant who stopped
    /// sending drops out once its packets have left the window.
    /// </summary>
    /// <returns>True when the ids or their order changed since the last time this returned true.</returns>
    public bool TryUpdate(long nowMillis, int maxSpeakers, out IReadOnlyList<SpeakerLevel> speakers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSpeakers);
        var ranking = new List<SpeakerLevel>();
        foreach (var (id, participant) in _participants)
        {
            long packets = 0, sound = 0, loudness = 0;
            foreach (ref readonly var bucket in participant.Window.InWindow(nowMillis))
            {
                packets += bucket.Packets;
                sound += bucket.Sound;
                loudness += bucket.Loudness;
            }
            if (packets > 0 && loudness > 0 && sound >= _minActiveRatio * packets)
                ranking.Add(new SpeakerLevel(id, (double)loudness / (packets * _threshold)));
        }
        ranking.Sort(static (a, b) => a.Level != b.Level ? b.Level.CompareTo(a.Level) : string.CompareOrdinal(a.ParticipantId, b.ParticipantId));
        if (ranking.Count > maxSpeakers) ranking.RemoveRange(maxSpeakers, ranking.Count - maxSpeakers);
        speakers = ranking;

        bool changed = ranking.Count != _lastIds.Length;
        for (int i = 0; !changed && i < ranking.Count; i++) changed = ranking[i].ParticipantId != _lastIds[i];
        if (changed) _lastIds = [.. ranking.Select(static speaker => speaker.ParticipantId)];
        return changed;
    }

    private sealed class Participant(int windowMillis)
    {
        public SlidingWindow<Counts> Window { get; } = new(windowMillis, Buckets);

        /// <summary>Packets before this time are sound: the hangover after the last loud one.</summary>
        public long SoundUntil { get; set; } = long.MinValue;
    }

    private struct Counts
    {
        public int Packets;
        public int Sound;
        public int Loudness; // the sum of (threshold - level) over the loud packets
    }
}
