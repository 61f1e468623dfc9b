using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using Switchboard.Media.Contracts;
using Switchboard.Signaling.Quality;

namespace Switchboard.Signaling.Protocol;

/// <summary>A client frame read: the message, or the error to answer with (docs/signaling.md, "Errors").</summary>
public readonly record struct ClientMessageRead(string? Type, ClientMessage? Message, string? ErrorCode, string? ErrorText, string? RequestId)
{
    public bool IsValid => Message is not null;
}

/// <summary>
/// Reads one client text frame: first a pass over the JSON that checks its syntax and finds <c>type</c> and
/// <c>id</c> (so even a malformed message's error can echo its id), then the typed record for that type, then
/// the ranges the protocol sets.
/// </summary>
public static class ClientMessageReader
{
    public const int MaxIdLength = 64, MaxNameLength = 64, MaxRoomLength = 64, MaxParticipantIdLength = 64;
    public const int MaxStateBytes = 1024, MaxTokenLength = 4096, MaxResumeTokenLength = 128;

    public static ClientMessageRead Read(ReadOnlySpan<byte> utf8)
    {
        // JSON is UTF-8 (RFC 8259 §8.1). The reader checks only what it decodes, so a string or property name it skips (inside
        // "candidate", "data" or "state") would keep invalid bytes, and relaying the message would throw.
        if (!Utf8.IsValid(utf8)) return Error(ErrorCodes.InvalidJson, "not valid JSON: the frame is not UTF-8 text", null, null);
        if (!TryScan(utf8, out var type, out var id, out var syntaxError)) return Error(ErrorCodes.InvalidJson, syntaxError, null, id);
        if (type is null) return Error(ErrorCodes.InvalidMessage, "type is missing or not a string", null, id);
        JsonTypeInfo? info = type switch
        {
            "join" => SignalingJsonContext.Default.JoinMessage,
            "resume" => SignalingJsonContext.Default.ResumeMessage,
            "offer" or "answer" => SignalingJsonContext.Default.SessionDescriptionMessage,
            "candidate" => SignalingJsonContext.Default.CandidateMessage,
            "update" => SignalingJsonContext.Default.UpdateMessage,
            "message" => SignalingJsonContext.Default.ApplicationMessage,
            "leave" or "ping" or "pong" => SignalingJsonContext.Default.BareMessage,
            "media-offer" => SignalingJsonContext.Default.MediaOfferMessage,
            "mute" => SignalingJsonContext.Default.MuteMessage,
            "track-settings" => SignalingJsonContext.Default.TrackSettingsMessage,
            "stats" => SignalingJsonContext.Default.StatsMessage,
            _ => null,
        };
        if (info is null) return Error(ErrorCodes.UnknownType, $"unknown message type '{Truncate(type)}'", type, id);
        ClientMessage message;
        try
        {
            message = (ClientMessage)JsonSerializer.Deserialize(utf8, info)!;
        }
        catch (JsonException e)
        {
            return Error(ErrorCodes.InvalidMessage, Describe(e), type, id);
        }
        var problem = Validate(message);
        return problem is null ? new ClientMessageRead(type, message, null, null, id) : Error(ErrorCodes.InvalidMessage, problem, type, id);
    }

    static ClientMessageRead Error(string code, string text, string? type, string? id) => new(type, null, code, text, id);

    /// <summary>Checks the whole frame is one JSON object and picks its top-level string <c>type</c> and <c>id</c>.</summary>
    static bool TryScan(ReadOnlySpan<byte> utf8, out string? type, out string? id, out string error)
    {
        type = id = null;
        error = "";
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 32 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "a message is one JSON object";
                return false;
            }
            while (reader.Read())
            {
                if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool isType = reader.ValueTextEquals("type"u8), isId = reader.ValueTextEquals("id"u8);
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && (isType || isId))
                    {
                        var value = reader.GetString();
                        if (isType) type = value;
                        else if (value!.Length <= MaxIdLength) id = value;
                    }
                    else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
                }
            }
            return true;
        }
        catch (JsonException e)
        {
            error = $"not valid JSON: {e.Message}";
            return false;
        }
        catch (InvalidOperationException e)
        {
            error = $"not valid JSON: {e.Message}";
            return false;
        }
    }

    /// <summary>Names the field a deserialization failure is about.</summary>
    static string Describe(JsonException e)
    {
        const string missing = "missing required properties including: ";
        int at = e.Message.IndexOf(missing, StringComparison.Ordinal);
        if (at >= 0) return "missing field " + e.Message[(at + missing.Length)..].TrimEnd('.').Replace("'", "");
        var field = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : e.Path ?? "?";
        // Strict records (stats) refuse fields they do not have.
        if (e.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal)) return $"unknown field {field}";
        return $"field {field} has the wrong JSON type or value";
    }

    static string? Validate(ClientMessage message)
    {
        if (message.Id is { Length: > MaxIdLength }) return $"id is longer than {MaxIdLength} characters";
        switch (message)
        {
            case JoinMessage join:
                return RoomNameProblem(join.Room) ?? NameProblem(join.Name) ?? StateProblem(join.State)
                    ?? (join.Token is { Length: > MaxTokenLength } ? $"token is longer than {MaxTokenLength} characters" : null);
            case ResumeMessage resume:
                if (resume.ResumeToken.Length is 0 or > MaxResumeTokenLength) return "resumeToken is empty or too long";
                return resume.LastSeq < 0 ? "lastSeq must be 0 or more" : null;
            case SessionDescriptionMessage description:
                return ParticipantIdProblem(description.To) ?? (description.Sdp.Length == 0 ? "sdp is empty" : null);
            case CandidateMessage candidate:
                return ParticipantIdProblem(candidate.To)
                    ?? (candidate.Candidate is { ValueKind: not JsonValueKind.Object } ? "candidate must be an object or null" : null);
            case UpdateMessage update:
                return NameProblem(update.Name) ?? StateProblem(update.State);
            case ApplicationMessage application:
                return application.To is null ? null : ParticipantIdProblem(application.To);
            case MediaOfferMessage offer:
                return MediaOfferProblem(offer);
            case MuteMessage mute:
                return SourceProblem(mute.Source);
            case TrackSettingsMessage settings:
                return TrackIdProblem(settings.TrackId)
                    ?? (settings.Width is < 0 or > MaxVideoSize || settings.Height is < 0 or > MaxVideoSize ? $"width and height must be 0 to {MaxVideoSize}" : null);
            case StatsMessage stats:
                return StatsRules.Problem(stats);
            default:
                return null;
        }
    }

    public const int MaxMids = 256, MaxMidLength = 32, MaxRidLength = 16, MaxVideoSize = 16384;

    static string? MediaOfferProblem(MediaOfferMessage offer)
    {
        if (offer.Sdp.Length == 0) return "sdp is empty";
        var publish = offer.Publish ?? [];
        var subscribe = offer.Subscribe ?? [];
        if (publish.Count + subscribe.Count > MaxMids) return $"publish and subscribe hold more than {MaxMids} entries";
        foreach (var entry in publish)
        {
            if ((MidProblem(entry.Mid) ?? SourceProblem(entry.Source)) is { } problem) return "publish: " + problem;
            if (entry.Layers is null) continue;
            if (entry.Layers.Count > MediaLimits.MaxSimulcastLayers) return $"publish: at most {MediaLimits.MaxSimulcastLayers} layers";
            foreach (var layer in entry.Layers)
            {
                if (layer.Rid is not { Length: > 0 and <= MaxRidLength } || !layer.Rid.All(char.IsAsciiLetterOrDigit))
                    return $"publish: a layer's rid must be 1-{MaxRidLength} letters or digits";
                if (layer.Width is < 0 or > MaxVideoSize || layer.Height is < 0 or > MaxVideoSize) return $"publish: layer width and height must be 0 to {MaxVideoSize}";
            }
        }
        foreach (var entry in subscribe)
            if ((MidProblem(entry.Mid) ?? TrackIdProblem(entry.TrackId)) is { } problem) return "subscribe: " + problem;
        return null;
    }

    static string? MidProblem(string? mid) =>
        mid is { Length: > 0 and <= MaxMidLength } && !mid.Any(char.IsControl) && !mid.Contains(' ') ? null : $"mid must be 1-{MaxMidLength} characters without spaces";

    static string? SourceProblem(string? source) =>
        TrackSources.TryParse(source, out _) ? null : $"source must be one of {string.Join(", ", TrackSources.Names)}";

    static string? TrackIdProblem(string? trackId) =>
        trackId is { Length: > 0 and <= MaxParticipantIdLength + 16 } ? null : "trackId is empty or too long";

    /// <summary>1-64 characters of A-Z a-z 0-9 - _ . (docs/signaling.md, "join").</summary>
    public static bool IsValidRoomName(string? room) =>
        room is { Length: > 0 and <= MaxRoomLength } && room.AsSpan().IndexOfAnyExcept(RoomNameCharacters) < 0;

    static readonly System.Buffers.SearchValues<char> RoomNameCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    static string? RoomNameProblem(string room) =>
        IsValidRoomName(room) ? null : "room must be 1-64 characters of A-Z a-z 0-9 - _ .";

    static string? NameProblem(string? name) =>
        name is null ? null
        : name.Length > MaxNameLength ? $"name is longer than {MaxNameLength} characters"
        : string.IsNullOrWhiteSpace(name) || name.Any(char.IsControl) ? "name is blank or has control characters"
        : null;

    static string? StateProblem(JsonElement? state)
    {
        if (state is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Object) return "state must be an object";
        return value.GetRawText().Length > MaxStateBytes ? $"state is larger than {MaxStateBytes} bytes" : null;
    }

    static string? ParticipantIdProblem(string to) =>
        to.Length is 0 or > MaxParticipantIdLength ? "to must name a participant id" : null;

    static string Truncate(string text) => text.Length <= 32 ? text : text[..32] + "...";
}
