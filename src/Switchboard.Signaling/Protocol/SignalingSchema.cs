using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;

namespace Switchboard.Signaling.Protocol;

/// <summary>
/// The JSON Schema (draft 2020-12) of every message in both directions, made from the message types themselves
/// (docs/signaling.schema.json is this output; a test keeps the two equal).
/// </summary>
public static class SignalingSchema
{
    public static string Generate()
    {
        var context = SignalingJsonContext.Default;
        var client = new JsonObject
        {
            ["join"] = Message(context.JoinMessage, "join"),
            ["resume"] = Message(context.ResumeMessage, "resume"),
            ["offer"] = Message(context.SessionDescriptionMessage, "offer"),
            ["answer"] = Message(context.SessionDescriptionMessage, "answer"),
            ["candidate"] = Message(context.CandidateMessage, "candidate"),
            ["update"] = Message(context.UpdateMessage, "update"),
            ["message"] = Message(context.ApplicationMessage, "message"),
            ["leave"] = Message(context.BareMessage, "leave"),
            ["ping"] = Message(context.BareMessage, "ping"),
            ["pong"] = Message(context.BareMessage, "pong"),
            ["media-offer"] = Message(context.MediaOfferMessage, "media-offer"),
            ["mute"] = Message(context.MuteMessage, "mute"),
            ["track-settings"] = Message(context.TrackSettingsMessage, "track-settings"),
            ["stats"] = Message(context.StatsMessage, "stats"),
        };
        var server = new JsonObject
        {
            ["joined"] = Message(context.JoinedMessage, "joined"),
            ["resumed"] = Message(context.JoinedMessage, "resumed"),
            ["participant-joined"] = Message(context.ParticipantJoinedMessage, "participant-joined", sequenced: true),
            ["participant-updated"] = Message(context.ParticipantUpdatedMessage, "participant-updated", sequenced: true),
            ["participant-left"] = Message(context.ParticipantLeftMessage, "participant-left", sequenced: true),
            ["offer"] = Message(context.RelayedSessionDescription, "offer", sequenced: true),
            ["answer"] = Message(context.RelayedSessionDescription, "answer", sequenced: true),
            ["candidate"] = Message(context.RelayedCandidate, "candidate", sequenced: true),
            ["message"] = Message(context.RelayedApplicationMessage, "message", sequenced: true),
            ["media-answer"] = Message(context.MediaAnswerMessage, "media-answer", sequenced: true),
            ["tracks"] = Message(context.TracksMessage, "tracks", sequenced: true),
            ["speakers"] = Message(context.SpeakersMessage, "speakers", sequenced: true),
            ["recording"] = Message(context.RecordingMessage, "recording", sequenced: true),
            ["layers"] = Message(context.LayersMessage, "layers", sequenced: true),
            ["error"] = Message(context.ErrorMessage, "error"),
            ["ping"] = Message(context.BareMessage, "ping"),
            ["pong"] = Message(context.BareMessage, "pong"),
        };
        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = "Switchboard signaling protocol (docs/signaling.md)",
            ["$defs"] = new JsonObject { ["client"] = client, ["server"] = server },
        };
        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>One message's schema, with its <c>type</c> fixed and, for those addressed to a participant, <c>seq</c>.</summary>
    static JsonNode Message(JsonTypeInfo info, string type, bool sequenced = false)
    {
        var node = JsonSchemaExporter.GetJsonSchemaAsNode(info, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true }).AsObject();
        var properties = node["properties"]?.AsObject() ?? [];
        properties.Remove("type");
        var ordered = new JsonObject { ["type"] = new JsonObject { ["const"] = type } };
        if (sequenced) ordered["seq"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1 };
        foreach (var (name, value) in properties.ToList())
        {
            properties.Remove(name);
            ordered[name] = value;
        }
        node["properties"] = ordered;
        var required = node["required"]?.AsArray().Select(n => n!.GetValue<string>()).Where(n => n != "type").ToList() ?? [];
        node["required"] = new JsonArray([.. new[] { "type" }.Concat(sequenced ? ["seq"] : []).Concat(required).Select(n => (JsonNode)n)]);
        return node;
    }
}
