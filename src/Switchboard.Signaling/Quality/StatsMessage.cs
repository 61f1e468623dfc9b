using System.Text.Json.Serialization;
using Switchboard.Signaling.Protocol;

namespace Switchboard.Signaling.Quality;

// The `stats` client message (docs/signaling.md, "Call quality"): short names, since a browser sends one every few
// seconds. Unlike the other messages it is strict: an unknown field is invalid-message, so a summary is never half-read.

/// <summary><c>stats</c>: the client's view of its media connection over the last <see cref="Ms"/> milliseconds.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record StatsMessage : ClientMessage
{
    /// <summary>Always <c>stats</c>; named here so that the strict reading accepts it.</summary>
    public string? Type { get; init; }

    /// <summary>How long the interval the summary covers was.</summary>
    public required int Ms { get; init; }

    /// <summary>The selected local candidate's type: host, srflx, prflx or relay.</summary>
    public string? Cand { get; init; }

    /// <summary>Its protocol: udp or tcp.</summary>
    public string? Proto { get; init; }

    /// <summary>The selected candidate pair's current round-trip time, ms.</summary>
    public double? Rtt { get; init; }

    /// <summary>The available outgoing bit rate the browser estimates, kbit/s.</summary>
    public double? Aob { get; init; }

    public StatsDirection? In { get; init; }
    public StatsDirection? Out { get; init; }

    /// <summary>Each received video track that is not muted.</summary>
    public IReadOnlyList<VideoTrackStats>? Video { get; init; }
}

/// <summary>One direction: kbit/s, the share of packets lost (0..1) and jitter in ms.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record StatsDirection(double? Kbps = null, double? Loss = null, double? Jit = null);

/// <summary>A received video track: decoded frames per second, size, and freezes in the interval (count, ms).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record VideoTrackStats(double Fps, string? Track = null, int? W = null, int? H = null, int? Frz = null, double? FrzMs = null);
