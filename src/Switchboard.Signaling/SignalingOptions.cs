using Switchboard.Signaling.Ice;
using Switchboard.Signaling.Quality;
using Switchboard.Signaling.Rooms;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Signaling;

/// <summary>Settings of the signaling server, bound from the "Signaling" section (docs/signaling.md, "Limits").</summary>
public sealed class SignalingOptions
{
    public const string Section = "Signaling";

    /// <summary>Keys that sign access tokens. All-in-one mode adds one made at first start when none is configured.</summary>
    public ApiKey[] ApiKeys { get; set; } = [];

    /// <summary>Development: admit <c>join</c> without a token (random identity, participant grants).</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>A <c>join</c> to a room that does not exist creates it; when false, rooms come from the REST API.</summary>
    public bool AutoCreateRooms { get; set; } = true;

    public int MaxMessageBytes { get; set; } = 64 * 1024;
    public int MessagesPerSecond { get; set; } = 50;
    public int MessageBurst { get; set; } = 200;
    public int MaxConnections { get; set; } = 20_000;

    /// <summary>Connections from one IPv4 address or IPv6 /64 at once.</summary>
    public int MaxConnectionsPerAddress { get; set; } = 100;

    /// <summary>How long a connection may stay open without joining or resuming.</summary>
    public int JoinTimeoutSeconds { get; set; } = 10;
    public int MaxRooms { get; set; } = 10_000;

    /// <summary>How rooms carry media unless created with their own mode: <c>sfu</c> (through the media server) or <c>p2p</c> (a mesh).</summary>
    public string DefaultMediaMode { get; set; } = MediaModes.Sfu;
    public int MaxParticipantsPerRoom { get; set; } = 50;
    public int ResumeWindowSeconds { get; set; } = 20;
    public int ResumeBufferMessages { get; set; } = 512;

    /// <summary>Bytes of messages a participant's resume buffer keeps; the oldest go beyond it.</summary>
    public int ResumeBufferBytes { get; set; } = 16 << 20;

    /// <summary>Bytes of messages kept for resumes on this node, a message kept for many participants counted once.</summary>
    public long ResumeBufferTotalBytes { get; set; } = 256L << 20;
    public int PingIntervalSeconds { get; set; } = 15;

    /// <summary>The ICE servers handed to participants in <c>joined</c>.</summary>
    public IceOptions Ice { get; set; } = new();

    /// <summary>The call-quality timelines kept from the clients' <c>stats</c>.</summary>
    public QualityOptions Quality { get; set; } = new();
}
