using Switchboard.Media.Contracts;
using Switchboard.Signaling.Protocol;
using Switchboard.Signaling.Rooms;
using Switchboard.Signaling.Sessions;
using Switchboard.Signaling.WhipWhep;

namespace Switchboard.Signaling;

// WHIP (RFC 9725) and WHEP sessions: room participants without a WebSocket (docs/broadcast.md).
public sealed partial class SignalingHub
{
    readonly WhipWhepSessions _whipWhep = new();

    /// <summary>
    /// Who a WHIP or WHEP client is, checked before its offer is read: its token (or a guest, when the server allows
    /// anonymous joins) must admit it to the room with the join grant and the publish (WHIP) or subscribe (WHEP) grant.
    /// A WHEP viewer's identity is the token's with a suffix, so that one playback token serves many viewers.
    /// </summary>
    public WhipWhepClient AuthenticateWhipWhep(WhipWhepKind kind, string room, string? bearer)
    {
        if (!ClientMessageReader.IsValidRoomName(room))
            return new("", "", Tokens.Grants.Participant, WhipWhepError.NotFound, "a room's name is 1-64 characters of A-Z a-z 0-9 - _ .");
        var (identity, tokenName, grants, code, text) = Authenticate(bearer, room, _time.GetUtcNow());
        var error = code switch
        {
            null => WhipWhepError.None,
            ErrorCodes.TokenRequired => WhipWhepError.TokenRequired,
            ErrorCodes.TokenInvalid or ErrorCodes.TokenExpired => WhipWhepError.TokenInvalid,
            _ => WhipWhepError.Forbidden,
        };
        if (error == WhipWhepError.None && kind == WhipWhepKind.Whip && !grants.Publish) (error, text) = (WhipWhepError.Forbidden, "the token has no publish grant");
        if (error == WhipWhepError.None && kind == WhipWhepKind.Whep && !grants.Subscribe) (error, text) = (WhipWhepError.Forbidden, "the token has no subscribe grant");
        if (kind == WhipWhepKind.Whep && bearer is not null) identity = NewId(identity + "/", 4);
        return new WhipWhepClient(identity, tokenName ?? identity, grants, error, text);
    }

    /// <summary>
    /// A WHIP or WHEP offer: the client joins the room as a participant (others see it join), and its offer goes to the
    /// media server, publishing its sections as tracks (WHIP) or subscribing them to the room's tracks (WHEP; only
    /// <paramref name="publisher"/>'s when named). The server's gateways start their sessions here too, with an offer of
    /// their own for <paramref name="plainRtp"/>.
    /// </summary>
    public async ValueTask<WhipWhepResult> StartWhipWhepAsync(WhipWhepKind kind, string room, WhipWhepClient client, string sdp, string requestHost,
        PlainRtpPeer? plainRtp = null, string? publisher = null)
    {
        var sections = OfferSections.Read(sdp);
        List<OfferedTrack> publish = [];
        if (kind == WhipWhepKind.Whip)
        {
            if (OfferSections.Publications(sections, out string? problem) is not { } publications) return WhipWhepResult.Fail(WhipWhepError.InvalidOffer, problem!);
            publish = publications;
        }
        else if (!sections.Any(s => s.Receives))
            return WhipWhepResult.Fail(WhipWhepError.InvalidOffer, "the offer receives no audio or video: a WHEP offer has recvonly audio or video sections with a mid");

        var now = _time.GetUtcNow();
        var id = NewId("p_", 9);
        var participant = new ParticipantInfo(id, client.Identity, client.Name, null, now, client.Grants, Connected: true);
        var admission = await _store.AdmitAsync(room, participant, Limits, _options.AutoCreateRooms);
        if (admission.Outcome != AdmissionOutcome.Admitted)
        {
            var (_, reason) = Refusal(admission, room);
            return WhipWhepResult.Fail(admission.Outcome == AdmissionOutcome.RoomNotFound ? WhipWhepError.NotFound : WhipWhepError.Full, reason);
        }
        await RefreshRoomCountAsync();
        var info = admission.Room!;
        if (MediaModeOf(info) != MediaModes.Sfu)
        {
            await _store.RemoveParticipantAsync(room, id);
            await RefreshRoomCountAsync();
            return WhipWhepResult.Fail(WhipWhepError.Conflict, $"room '{room}' is a p2p room: its media goes between its participants, not through the server");
        }
        if (kind == WhipWhepKind.Whip && info.Publishers is { } publishers && !publishers.Contains(client.Identity))
        {
            await _store.RemoveParticipantAsync(room, id);
            await RefreshRoomCountAsync();
            return WhipWhepResult.Fail(WhipWhepError.Forbidden, $"'{client.Identity}' is not one of the publishers of room '{room}'");
        }
        if (admission.Replaced is { } replaced) await EndReplacedAsync(replaced, room);
        if (info.Record && _recording.ActiveIn(room) is null) RecordAutomatically(room);
        RaiseJoined(room, participant);
        await BroadcastAsync(room, id, OutboundMessage.Create(new ParticipantJoinedMessage(View(participant)), SignalingJsonContext.Default.ParticipantJoinedMessage));

        var tracks = _media.Tracks(room).Where(t => publisher is null || t.ParticipantId == publisher).ToList();
        var subscribe = kind == WhipWhepKind.Whep ? OfferSections.Subscriptions(sections, tracks) : [];
        if (kind == WhipWhepKind.Whep && subscribe.Count == 0)
        {
            await RemoveFromRoomAsync(room, id, LeaveReasons.Left);
            return WhipWhepResult.Fail(WhipWhepError.NothingPublished, publisher is null
                ? $"nothing the offer can receive is published in room '{room}' yet: try again once someone publishes"
                : $"participant '{publisher}' publishes nothing the offer can receive in room '{room}'");
        }
        var offer = new MediaOffer(sdp, publish, subscribe, client.Grants.Publish, client.Grants.Subscribe, PlainRtp: plainRtp);
        var session = new WhipWhepSession(kind, NewId("", 18), id, room, offer);
        _whipWhep.Add(session); // before the offer: a connection that ends at once finds its session
        OfferOutcome outcome;
        lock (session.Gate)
        {
            outcome = Ended(session)
                ? OfferOutcome.Refuse(OfferRefusal.Unavailable, $"the session was ended (its participant was removed from room '{room}')")
                : _media.Offer(room, id, offer);
        }
        if (outcome.AnswerSdp is not { } answer)
        {
            await EndWhipWhepAsync(session, LeaveReasons.Left);
            return WhipWhepResult.Fail(outcome.Refusal switch
            {
                OfferRefusal.InvalidOffer or OfferRefusal.TooManySubscriptions => WhipWhepError.InvalidOffer,
                OfferRefusal.NotPermitted => WhipWhepError.Forbidden,
                _ => WhipWhepError.Full,
            }, outcome.Message!);
        }
        return new WhipWhepResult(WhipWhepError.None, null, session, answer, _ice.For(client.Identity, requestHost));
    }

    public WhipWhepSession? FindWhipWhep(WhipWhepKind kind, string room, string id) => _whipWhep.Find(kind, room, id);

    /// <summary>
    /// A PATCH with an RFC 8840 fragment (RFC 9725 §4.3). The server is ICE-lite and learns the client's addresses from
    /// its checks, so trickled candidates need nothing (no body); new credentials restart ICE: the offer is made again
    /// with them, and the answer's new credentials go back as a fragment with a new entity-tag.
    /// </summary>
    public WhipWhepResult PatchWhipWhep(WhipWhepSession session, string? ifMatch, string fragment)
    {
        var trickle = TrickleIceFragment.Read(fragment);
        lock (session.Gate)
        {
            if (Ended(session)) return WhipWhepResult.Fail(WhipWhepError.NotFound, "the session has ended");
            if (ifMatch is null) return WhipWhepResult.Fail(WhipWhepError.PreconditionRequired, "a PATCH needs If-Match: the session's ETag, or * for an ICE restart");
            if (!session.Matches(ifMatch)) return WhipWhepResult.Fail(WhipWhepError.PreconditionFailed, $"If-Match {ifMatch} is not the session's entity-tag {session.ETag}");
            if (!trickle.RestartsIce(session.Offer.Sdp)) return new WhipWhepResult(WhipWhepError.None, null, session);
            var offer = session.Offer with { Sdp = trickle.ApplyTo(session.Offer.Sdp) };
            var outcome = _media.Offer(session.Room, session.ParticipantId, offer);
            if (outcome.AnswerSdp is not { } answer)
                return WhipWhepResult.Fail(outcome.Refusal == OfferRefusal.Unavailable ? WhipWhepError.Full : WhipWhepError.InvalidOffer, outcome.Message!);
            session.Restarted(offer);
            return new WhipWhepResult(WhipWhepError.None, null, session, TrickleIceFragment.AnswerFragment(answer));
        }
    }

    /// <summary>The session ends (a DELETE, or its connection ended): its participant leaves the room, once.</summary>
    public async ValueTask EndWhipWhepAsync(WhipWhepSession session, string reason)
    {
        if (ForgetWhipWhep(session.Room, session.ParticipantId)) await RemoveFromRoomAsync(session.Room, session.ParticipantId, reason);
    }

    /// <summary>
    /// Forgets the participant's WHIP or WHEP session, if it has one, and takes it out of the media server, under the
    /// session's gate: an offer under way (an ICE restart) cannot bring its media back after. False when it had none.
    /// </summary>
    bool ForgetWhipWhep(string room, string participantId)
    {
        if (_whipWhep.OfParticipant(participantId) is not { } session) return false;
        lock (session.Gate)
        {
            if (!_whipWhep.Remove(participantId)) return false;
            _media.Leave(room, participantId);
            return true;
        }
    }

    bool Ended(WhipWhepSession session) => _whipWhep.OfParticipant(session.ParticipantId) != session;

    /// <summary>A WHIP or WHEP client has no socket to notice it is gone: its peer connection's end ends its session.</summary>
    void EndWhipWhepWith(ConnectionEnd end)
    {
        if (_whipWhep.OfParticipant(end.ParticipantId) is { } session && session.Room == end.Room)
            Forget(EndWhipWhepAsync(session, LeaveReasons.Timeout));
    }
}
