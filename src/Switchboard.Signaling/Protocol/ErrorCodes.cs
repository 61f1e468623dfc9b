namespace Switchboard.Signaling.Protocol;

/// <summary>The <c>error.code</c> values of docs/signaling.md, "Errors".</summary>
public static class ErrorCodes
{
    public const string InvalidJson = "invalid-json";
    public const string InvalidMessage = "invalid-message";
    public const string UnknownType = "unknown-type";
    public const string MessageTooLarge = "message-too-large";
    public const string RateLimited = "rate-limited";
    public const string NotJoined = "not-joined";
    public const string AlreadyJoined = "already-joined";
    public const string ParticipantNotFound = "participant-not-found";
    public const string TokenRequired = "token-required";
    public const string TokenInvalid = "token-invalid";
    public const string TokenExpired = "token-expired";
    public const string TokenRoomMismatch = "token-room-mismatch";
    public const string PermissionDenied = "permission-denied";
    public const string RoomNotFound = "room-not-found";
    public const string RoomFull = "room-full";
    public const string TooManyRooms = "too-many-rooms";
    public const string TooManyConnections = "too-many-connections";
    public const string JoinTimeout = "join-timeout";
    public const string ResumeFailed = "resume-failed";
    public const string Replaced = "replaced";
    public const string Removed = "removed";
    public const string RoomDeleted = "room-deleted";
    public const string ServerShuttingDown = "server-shutting-down";
    public const string MediaUnavailable = "media-unavailable";
    public const string MediaInvalid = "media-invalid";
    public const string TooManyPublishers = "too-many-publishers";
    public const string TooManySubscriptions = "too-many-subscriptions";
    public const string BitrateLimit = "bitrate-limit";
    public const string DataBacklog = "data-backlog";
}

/// <summary>WebSocket close codes the server uses (RFC 6455 §7.4 and the private range 4000-4999).</summary>
public static class CloseCodes
{
    public const int Normal = 1000;
    public const int GoingAway = 1001;
    public const int PolicyViolation = 1008;
    public const int MessageTooBig = 1009;
    public const int TryAgainLater = 1013;
    public const int Replaced = 4001;
    public const int Removed = 4002;
    public const int RoomDeleted = 4003;
}

/// <summary>Why a participant left, as <c>participant-left.reason</c> says.</summary>
public static class LeaveReasons
{
    public const string Left = "left";
    public const string Timeout = "timeout";
    public const string Replaced = "replaced";
    public const string Removed = "removed";
    public const string RoomDeleted = "room-deleted";
}
