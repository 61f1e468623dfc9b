using System.Text.Json;
using System.Text.Json.Serialization;
using Switchboard.Signaling.Quality;

namespace Switchboard.Signaling.Protocol;

/// <summary>Source-generated (de)serialization of every message: camelCase, nulls left out.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectRequiredConstructorParameters = true, RespectNullableAnnotations = true, MaxDepth = 32,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(JoinMessage))]
[JsonSerializable(typeof(ResumeMessage))]
[JsonSerializable(typeof(SessionDescriptionMessage))]
[JsonSerializable(typeof(CandidateMessage))]
[JsonSerializable(typeof(UpdateMessage))]
[JsonSerializable(typeof(ApplicationMessage))]
[JsonSerializable(typeof(BareMessage))]
[JsonSerializable(typeof(MediaOfferMessage))]
[JsonSerializable(typeof(MuteMessage))]
[JsonSerializable(typeof(TrackSettingsMessage))]
[JsonSerializable(typeof(StatsMessage))]
[JsonSerializable(typeof(MediaAnswerMessage))]
[JsonSerializable(typeof(TracksMessage))]
[JsonSerializable(typeof(SpeakersMessage))]
[JsonSerializable(typeof(RecordingMessage))]
[JsonSerializable(typeof(LayersMessage))]
[JsonSerializable(typeof(JoinedMessage))]
[JsonSerializable(typeof(ParticipantJoinedMessage))]
[JsonSerializable(typeof(ParticipantUpdatedMessage))]
[JsonSerializable(typeof(ParticipantLeftMessage))]
[JsonSerializable(typeof(RelayedSessionDescription))]
[JsonSerializable(typeof(RelayedCandidate))]
[JsonSerializable(typeof(RelayedApplicationMessage))]
[JsonSerializable(typeof(ErrorMessage))]
internal sealed partial class SignalingJsonContext : JsonSerializerContext;
