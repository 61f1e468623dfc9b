using System.Diagnostics;
using Switchboard.Signaling.Connections;
using Switchboard.Signaling.Events;
using Switchboard.Signaling.Protocol;
using Switchboard.Signaling.Rooms;
using Switchboard.Signaling.Sessions;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Signaling;

// join, resume and leaving (docs/signaling.md, "Session lifecycle", "Tokens").
public sealed partial class SignalingHub
{
    async ValueTask JoinAsync(SignalingConnection connection, JoinMessage join)
    {
        long started = _time.GetTimestamp();
        using var trace = SignalingTracing.StartInTrace("join", kind: ActivityKind.Server);
        trace?.SetTag("switchboard.room", join.Room);
        var now = _time.GetUtcNow();
        string identity;
        string? tokenName, code, text;
        Grants grants;
        using (var check = SignalingTracing.Start("token check"))
        {
            (identity, tokenName, grants, code, text) = Authenticate(join.Token, join.Room, now);
            check?.SetTag("switchboard.token", join.Token is not null);
            if (code is not null) check.Refused(code);
        }
        if (code is not null)
        {
            trace.Refused(code);
            Fail(connection, code, text!, join.Id);
            return;
        }

        var id = NewId("p_", 9);
        var session = new ParticipantSession(id, identity, join.Room, grants, NewId("", 24),
            new ResumeBuffer(_options.ResumeBufferMessages, _options.ResumeBufferBytes, _resumeBudget));
        _sessions[id] = session; // before admission, so that what others send from then on reaches it
        var participant = new ParticipantInfo(id, identity, join.Name ?? tokenName ?? identity, join.State, now, grants, Connected: true);
        trace?.SetTag("switchboard.participant", id);
        Admission admission;
        using (var admit = SignalingTracing.Start("room store admit"))
        {
            admission = await _store.AdmitAsync(join.Room, participant, Limits, _options.AutoCreateRooms);
            admit?.SetTag("switchboard.admission", admission.Outcome.ToString());
        }
        if (admission.Outcome != AdmissionOutcome.Admitted)
        {
            _sessions.TryRemove(id, out _);
            var (refusal, reason) = Refusal(admission, join.Room);
            trace.Refused(refusal);
            Fail(connection, refusal, reason, join.Id);
            return;
        }
        await RefreshRoomCountAsync();
        var room = admission.Room!;
        session.MediaMode = MediaModeOf(room);
        session.Grants = grants with { Publish = grants.Publish && (room.Publishers is null || room.Publishers.Contains(identity)) };
        if (admission.Replaced is { } replaced) await EndReplacedAsync(replaced, room.Name);
        if (room.Record && session.MediaMode == MediaModes.Sfu && _recording.ActiveIn(room.Name) is null)
            RecordAutomatically(room.Name);

        connection.Session = session;
        session.Trace = trace?.Context ?? default;
        _byResumeToken[session.ResumeToken] = session;
        var others = admission.Others.Where(p => p.Id != admission.Replaced?.Id).Select(View).ToList();
        session.Attach(connection, token => Welcome("joined", session, participant, others, connection.RequestHost, token), 0, session.ResumeToken, out _);
        _metrics.Joined(_time.GetElapsedTime(started));
        RaiseJoined(room.Name, participant);
        await BroadcastAsync(room.Name, id, OutboundMessage.Create(new ParticipantJoinedMessage(View(participant)), SignalingJsonContext.Default.ParticipantJoinedMessage));
    }

    /// <summary>Why the store did not admit a participant: the error code and a sentence.</summary>
    (string ErrorCode, string Error) Refusal(Admission admission, string room) => admission.Outcome switch
    {
        AdmissionOutcome.RoomNotFound => (ErrorCodes.RoomNotFound, $"room '{room}' does not exist"),
        AdmissionOutcome.RoomFull => (ErrorCodes.RoomFull, $"room '{room}' has its maximum of {admission.Room?.MaxParticipants} participants"),
        _ => (ErrorCodes.TooManyRooms, $"the server holds its maximum of {_options.MaxRooms} rooms"),
    };

    /// <summary>Who the token makes its holder (a guest without one, when the server allows it), or the error code and sentence why it may not join.</summary>
    (string Identity, string? TokenName, Grants Grants, string? ErrorCode, string? Error) Authenticate(string? jwt, string room, DateTimeOffset now)
    {
        if (jwt is null)
        {
            return _options.AllowAnonymous
                ? (NewId("guest-", 6), null, Grants.Participant, null, null)
                : ("", null, Grants.Participant, ErrorCodes.TokenRequired,
                    "this server needs an access token to join (the server can allow anonymous joins with --Signaling:AllowAnonymous=true)");
        }
        var validation = _tokens.Validate(jwt, now);
        if (validation.Token is not { } token)
            return ("", null, Grants.Participant, validation.Error == TokenError.Expired ? ErrorCodes.TokenExpired : ErrorCodes.TokenInvalid, validation.Reason);
        if (!token.Grants.Join) return ("", null, token.Grants, ErrorCodes.PermissionDenied, "the token has no join grant");
        if (!token.AdmitsTo(room)) return ("", null, token.Grants, ErrorCodes.TokenRoomMismatch, $"the token admits to room '{token.Room}', not '{room}'");
        return (token.Identity, token.Name, token.Grants, null, null);
    }

    async ValueTask ResumeAsync(SignalingConnection connection, ResumeMessage resume)
    {
        if (!_byResumeToken.TryRemove(resume.ResumeToken, out var session) || session.Ended
            || await _store.GetParticipantAsync(session.Room, session.Id) is not { } participant)
        {
            Fail(connection, ErrorCodes.ResumeFailed, "unknown or expired resume token: join again", resume.Id);
            return;
        }
        var others = (await _store.ListParticipantsAsync(session.Room) ?? []).Where(p => p.Id != session.Id).Select(View).ToList();
        var newToken = NewId("", 24);
        if (!session.Attach(connection, token => Welcome("resumed", session, participant, others, connection.RequestHost, token),
                resume.LastSeq, newToken, out var previous))
        {
            Fail(connection, ErrorCodes.ResumeFailed, ResumeFailure(session, resume.LastSeq), resume.Id);
            return;
        }
        _byResumeToken[newToken] = session;
        connection.Session = session;
        previous?.Abort();
        await _store.UpdateParticipantAsync(session.Room, session.Id, null, null, connected: true);
    }

    /// <summary>Why the messages after <paramref name="lastSeq"/> cannot be replayed (docs/signaling.md, "Sequence numbers and resume").</summary>
    string ResumeFailure(ParticipantSession session, long lastSeq) => session.LastDroppedBy switch
    {
        _ when lastSeq > session.LastSeq => $"seq {lastSeq} was never sent (the last was {session.LastSeq}): join again",
        ResumeLimit.Bytes => $"the messages after seq {lastSeq} are no longer kept: a participant's resume buffer keeps at most {_options.ResumeBufferBytes} bytes (Signaling:ResumeBufferBytes); join again",
        ResumeLimit.ServerBytes => $"the messages after seq {lastSeq} are no longer kept: the server's {_options.ResumeBufferTotalBytes} bytes for resumes were used up (Signaling:ResumeBufferTotalBytes); join again",
        _ => $"the messages after seq {lastSeq} are no longer kept: a participant's resume buffer keeps its last {_options.ResumeBufferMessages} messages (Signaling:ResumeBufferMessages); join again",
    };

    OutboundMessage Welcome(string type, ParticipantSession session, ParticipantInfo participant, List<ParticipantView> others, string requestHost, string resumeToken) =>
        OutboundMessage.Create(new JoinedMessage(type, session.Room, View(participant), others, _ice.For(session.Identity, requestHost), resumeToken,
            (int)PingInterval.TotalMilliseconds, (int)ResumeWindow.TotalMilliseconds, session.Grants, session.MediaMode,
            session.MediaMode == MediaModes.Sfu ? TrackViews(session.Room) : null, _recording.ActiveIn(session.Room) is not null), SignalingJsonContext.Default.JoinedMessage);

    /// <summary>The same identity joined again: the old participant gets <c>replaced</c>; others see it leave.</summary>
    async ValueTask EndReplacedAsync(ParticipantInfo replaced, string room)
    {
        _media.Leave(room, replaced.Id);
        ForgetWhipWhep(room, replaced.Id);
        if (_sessions.TryRemove(replaced.Id, out var old))
        {
            _byResumeToken.TryRemove(old.ResumeToken, out _);
            if (old.End() is { } connection)
                Fail(connection, ErrorCodes.Replaced, "the same identity joined this room on another connection", null, CloseCodes.Replaced);
        }
        _events.Raise(RoomEventTypes.ParticipantLeft, room, e => e with { Participant = EventView(replaced), Reason = LeaveReasons.Replaced });
        await BroadcastAsync(room, null, LeftMessage(replaced.Id, LeaveReasons.Replaced));
    }

    /// <summary>The participant leaves for good; others see <c>participant-left</c> with <paramref name="reason"/>.</summary>
    async ValueTask LeaveAsync(ParticipantSession session, string reason, int closeCode, string? errorCode)
    {
        _sessions.TryRemove(session.Id, out _);
        _byResumeToken.TryRemove(session.ResumeToken, out _);
        _media.Leave(session.Room, session.Id);
        var connection = session.End();
        if (connection is not null)
        {
            if (errorCode is null) connection.Close(closeCode, reason);
            else Fail(connection, errorCode, errorCode == ErrorCodes.Removed ? "an administrator removed you from the room" : reason, null, closeCode);
        }
        await RemoveFromRoomAsync(session.Room, session.Id, reason);
    }

    /// <summary>Takes the participant out of the store; others see <c>participant-left</c> (and the room's events). False when it was not there.</summary>
    async ValueTask<bool> RemoveFromRoomAsync(string room, string participantId, string reason)
    {
        if (await _store.RemoveParticipantAsync(room, participantId) is not { } removed) return false;
        RaiseLeft(room, removed, reason);
        await BroadcastAsync(room, null, LeftMessage(participantId, reason));
        await RefreshRoomCountAsync();
        return true;
    }

    static OutboundMessage LeftMessage(string id, string reason) =>
        OutboundMessage.Create(new ParticipantLeftMessage(id, reason), SignalingJsonContext.Default.ParticipantLeftMessage);

    static ParticipantView View(ParticipantInfo p) => new(p.Id, p.Identity, p.Name, p.State, p.JoinedAt);

    async ValueTask RefreshRoomCountAsync() => Volatile.Write(ref _roomCount, await _store.CountRoomsAsync());
}
