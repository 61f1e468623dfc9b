using Switchboard.Signaling.Connections;
using Switchboard.Signaling.Protocol;
using Switchboard.Signaling.Quality;
using Switchboard.Signaling.Sessions;

namespace Switchboard.Signaling;

// stats: the client's view of its media connection, kept as the participant's call-quality timeline (docs/signaling.md, "Call quality").
public sealed partial class SignalingHub
{
    void RecordStats(SignalingConnection connection, ParticipantSession session, StatsMessage stats)
    {
        if (_quality.Record(session.Id, session.Room, session.Identity, stats, _time.GetUtcNow()) == StatsOutcome.TooSoon)
            Fail(connection, ErrorCodes.RateLimited, $"at most one stats message per {CallQualityLog.MinInterval.TotalSeconds:0} s; the message was dropped", stats.Id);
    }
}
