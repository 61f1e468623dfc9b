using System.Collections.Concurrent;

namespace Switchboard.Signaling.WhipWhep;

/// <summary>The WHIP and WHEP sessions on this node, by their resource id and by their participant.</summary>
internal sealed class WhipWhepSessions
{
    readonly ConcurrentDictionary<string, WhipWhepSession> _byId = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, WhipWhepSession> _byParticipant = new(StringComparer.Ordinal);

    public void Add(WhipWhepSession session)
    {
        _byParticipant[session.ParticipantId] = session;
        _byId[session.Id] = session;
    }

    /// <summary>The session at <c>/{kind}/{room}/{id}</c>, if it is still there.</summary>
    public WhipWhepSession? Find(WhipWhepKind kind, string room, string id) =>
        _byId.TryGetValue(id, out var session) && session.Kind == kind && session.Room == room ? session : null;

    public WhipWhepSession? OfParticipant(string participantId) => _byParticipant.GetValueOrDefault(participantId);

    /// <summary>Forgets the participant's session; false when it had none (or another caller ended it first).</summary>
    public bool Remove(string participantId)
    {
        if (!_byParticipant.TryRemove(participantId, out var session)) return false;
        _byId.TryRemove(session.Id, out _);
        return true;
    }

    public int CountIn(string room, WhipWhepKind kind) => _byId.Values.Count(s => s.Room == room && s.Kind == kind);
}
