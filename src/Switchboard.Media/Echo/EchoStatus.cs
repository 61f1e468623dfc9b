using System.Text.Json.Serialization;
using Switchboard.Media.Peers;

namespace Switchboard.Media.Echo;

/// <summary>An echo session as the server sees it: connection state, the transport chosen, and the counters.</summary>
public sealed record EchoStatus(string Id, string State, DateTimeOffset StartedAt, DateTimeOffset? ConnectedAt, string? Path, string? DtlsVersion, string? SrtpProfile, long PacketsReceived,
    long BytesReceived, long PacketsSent, long BytesSent, long PacketsEchoed, long PacketsLost, long PacketsDiscarded, double? RoundTripMillis, string? ClosedReason)
{
    public static EchoStatus Of(EchoSession session, MediaPeer peer)
    {
        PeerStatistics s = peer.Statistics;
        string state = peer.IsClosed ? "closed" : peer.IsConnected ? "connected" : "connecting";
        return new EchoStatus(session.Id, state, session.StartedAt, session.ConnectedAt, peer.SelectedPath?.ToString(), peer.Keys?.DtlsVersion, peer.Keys?.Profile.ToString(),
            s.PacketsReceived, s.BytesReceived, s.PacketsSent, s.BytesSent, session.PacketsEchoed, s.PacketsLost, s.PacketsDiscarded,
            s.RoundTripMillis < 0 ? null : Math.Round(s.RoundTripMillis, 1), session.ClosedReason);
    }
}

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(EchoStatus))]
internal sealed partial class EchoJsonContext : JsonSerializerContext;
