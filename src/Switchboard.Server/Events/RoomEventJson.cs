using System.Text.Json;
using System.Text.Json.Serialization;
using Switchboard.Signaling.Events;

namespace Switchboard.Server.Events;

/// <summary>A room event as webhooks post it and the event stream sends it: camelCase JSON, absent fields left out.</summary>
public static class RoomEventJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static byte[] Serialize(RoomEvent e) => JsonSerializer.SerializeToUtf8Bytes(e, Options);
}
