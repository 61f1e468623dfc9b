using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Media.Contracts;
using Switchboard.Signaling.Connections;
using Switchboard.Signaling.Events;
using Switchboard.Signaling.Ice;
using Switchboard.Signaling.Protocol;
using Switchboard.Signaling.Quality;
using Switchboard.Signaling.Rooms;
using Switchboard.Signaling.Sessions;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Signaling;

/// <summary>
/// The signaling server's logic (docs/signaling.md): takes each client message from its connection, keeps
/// participants (<see cref="ParticipantSession"/>) on this node and rooms in the <see cref="IRoomStore"/>, and
/// delivers what the protocol says to whom. Each connection's messages are handled one at a time, in order.
/// </summary>
public sealed partial class SignalingHub
{
    readonly SignalingOptions _options;
    readonly IRoomStore _store;
    readonly IIceServerSource _ice;
    readonly TimeProvider _time;
    readonly SignalingMetrics _metrics;
    readonly AccessTokenCodec _tokens;
    readonly ILogger<SignalingHub> _log;
    readonly IRoomMedia _media;
    readonly IRoomRecording _recording;
    readonly RoomEventFeed _events;
    readonly CallQualityLog _quality;
    readonly ConcurrentDictionary<SignalingConnection, byte> _connections = new();
    readonly ConcurrentDictionary<string, ParticipantSession> _sessions = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, ParticipantSession> _byResumeToken = new(StringComparer.Ordinal);
    readonly ResumeBudget _resumeBudget;
    readonly ConnectionsPerSource _perSource;
    int _roomCount;

    public SignalingHub(IOptions<SignalingOptions> options, IRoomStore store, IIceServerSource ice, TimeProvider time,
        SignalingMetrics metrics, ILogger<SignalingHub> log, IRoomMedia media, IRoomRecording? recording = null, RoomEventFeed? events = null,
        CallQualityLog? quality = null)
    {
        _options = options.Value;
        _store = store;
        _ice = ice;
        _time = time;
        _metrics = metrics;
        _log = log;
        _media = media;
        _recording = recording ?? new NoRoomMedia();
        _events = events ?? new RoomEventFeed(time);
        _quality = quality ?? new CallQualityLog(options);
        ListenToMedia();
        RaiseEventsOfMedia();
        _tokens = new AccessTokenCodec(_options.ApiKeys);
        _resumeBudget = new ResumeBudget(_options.ResumeBufferTotalBytes);
        _perSource = new ConnectionsPerSource(_options.MaxConnectionsPerAddress);
        metrics.Observe(() => _connections.Count, () => _sessions.Count, () => Volatile.Read(ref _roomCount), () => _resumeBudget.Used);
    }

    RoomLimits Limits => new(_options.MaxRooms, _options.MaxParticipantsPerRoom, _options.DefaultMediaMode);
    TimeSpan PingInterval => TimeSpan.FromSeconds(_options.PingIntervalSeconds);
    TimeSpan ResumeWindow => TimeSpan.FromSeconds(_options.ResumeWindowSeconds);
    TimeSpan JoinTimeout => TimeSpan.FromSeconds(_options.JoinTimeoutSeconds);

    /// <summary>Registers a new connection; false (and it is closed with 1013) when the server, or the connection's source, is full.</summary>
    public bool TryAccept(SignalingConnection connection)
    {
        if (_connections.Count >= _options.MaxConnections)
        {
            Fail(connection, ErrorCodes.TooManyConnections, $"the server holds its maximum of {_options.MaxConnections} connections (Signaling:MaxConnections)", null,
                closeCode: CloseCodes.TryAgainLater);
            return false;
        }
        if (!_perSource.TryAdd(connection.Source))
        {
            Fail(connection, ErrorCodes.TooManyConnections,
                $"your address holds its maximum of {_options.MaxConnectionsPerAddress} connections (Signaling:MaxConnectionsPerAddress)", null,
                closeCode: CloseCodes.TryAgainLater);
            return false;
        }
        _connections.TryAdd(connection, 0);
        return true;
    }

    /// <summary>The socket is gone: its participant, if any, waits for a resume until the window passes.</summary>
    public async ValueTask OnClosedAsync(SignalingConnection connection)
    {
        if (_connections.TryRemove(connection, out _)) _perSource.Remove(connection.Source);
        if (connection.Session is { } session && session.Detach(connection, _time.GetUtcNow()))
            await _store.UpdateParticipantAsync(session.Room, session.Id, null, null, connected: false);
    }

    /// <summary>One text (or binary) frame from a client.</summary>
    public async ValueTask HandleAsync(SignalingConnection connection, ReadOnlyMemory<byte> frame, bool binary)
    {
        if (connection.IsClosing) return;
        if (!connection.RateLimiter.TryAcquire())
        {
            bool flood = connection.RateLimiter.DroppedInARow > 10 * _options.MessageBurst;
            Fail(connection, ErrorCodes.RateLimited, $"more than {_options.MessagesPerSecond} messages per second; the message was dropped", null,
                closeCode: flood ? CloseCodes.PolicyViolation : null);
            return;
        }
        if (binary)
        {
            Fail(connection, ErrorCodes.InvalidJson, "binary frames are not part of the protocol: send JSON text frames", null);
            return;
        }
        var read = ClientMessageReader.Read(frame.Span);
        if (!read.IsValid)
        {
            Fail(connection, read.ErrorCode!, read.ErrorText!, read.RequestId);
            return;
        }
        var session = connection.Session;
        switch (read.Message)
        {
            case BareMessage when read.Type == "ping":
                connection.Send(OutboundMessage.Pong);
                return;
            case BareMessage when read.Type == "pong":
                return;
            case JoinMessage or ResumeMessage when session is not null:
                Fail(connection, ErrorCodes.AlreadyJoined, "this connection already holds a participant", read.RequestId);
                return;
            case JoinMessage join:
                await JoinAsync(connection, join);
                return;
            case ResumeMessage resume:
                await ResumeAsync(connection, resume);
                return;
            case not null when session is null:
                Fail(connection, ErrorCodes.NotJoined, $"send join (or resume) before {read.Type}", read.RequestId);
                return;
            case BareMessage:
                await LeaveAsync(session, LeaveReasons.Left, CloseCodes.Normal, null);
                return;
            case SessionDescriptionMessage description:
                RelayDescription(connection, session, read.Type!, description);
                return;
            case CandidateMessage candidate:
                RelayTo(connection, session, candidate.To, candidate.Id,
                    OutboundMessage.Create(new RelayedCandidate(session.Id, candidate.Candidate), SignalingJsonContext.Default.RelayedCandidate));
                return;
            case ApplicationMessage application:
                await RelayApplicationAsync(connection, session, application);
                return;
            case UpdateMessage update:
                await UpdateAsync(session, update);
                return;
            case MediaOfferMessage offer:
                OfferMedia(connection, session, offer);
                return;
            case MuteMessage mute:
                Mute(connection, session, mute);
                return;
            case TrackSettingsMessage settings:
                ChangeTrackSettings(connection, session, settings);
                return;
            case StatsMessage stats:
                RecordStats(connection, session, stats);
                return;
        }
    }

    /// <summary>Sends an error; with <paramref name="closeCode"/> it is fatal and the connection closes after it.</summary>
    void Fail(SignalingConnection connection, string code, string message, string? requestId, int? closeCode = null)
    {
        _metrics.Error(code);
        var error = OutboundMessage.Error(code, message, requestId, fatal: closeCode is not null);
        if (closeCode is { } close) connection.Close(close, code, error);
        else connection.Send(error);
    }

    /// <summary>Delivers one message to the other participants of a room on this node.</summary>
    async ValueTask BroadcastAsync(string room, string? except, OutboundMessage message)
    {
        var participants = await _store.ListParticipantsAsync(room);
        if (participants is null) return;
        int delivered = 0;
        foreach (var participant in participants)
        {
            if (participant.Id == except || !_sessions.TryGetValue(participant.Id, out var session)) continue;
            session.Deliver(message);
            delivered++;
        }
        _metrics.Relayed(delivered);
    }

    static string NewId(string prefix, int bytes) => prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
