using Switchboard.Media.Peers;

namespace Switchboard.Media.Tests.Sfu.Simulation;

/// <summary>
/// A peer connection of the simulation: what the SFU sends goes, unprotected, onto the participant's downlink; what
/// arrives over its uplink goes to the SFU's handler. Connected once the harness has run a step after it was made
/// (DTLS takes no time here).
/// </summary>
internal sealed class SimulatedConnection(string id, string fingerprint, IMediaPeerHandler handler, SimulatedParticipant client, SimulatedClock clock)
    : IMediaConnection
{
    public string Id { get; } = id;
    public string Fingerprint { get; } = fingerprint;
    public IMediaPeerHandler Handler { get; } = handler;
    public SimulatedParticipant Client { get; } = client;
    public bool IsConnected { get; private set; }
    public bool IsClosed { get; private set; }
    public string? CloseReason { get; private set; }
    public PeerStatistics Statistics { get; } = new();

    /// <summary>When the host's timer runs the handler next.</summary>
    public long TimerDueAt { get; set; }

    public void Connect()
    {
        if (IsClosed || IsConnected) return;
        IsConnected = true;
        Handler.OnConnected(this);
    }

    public bool SendRtp(Span<byte> buffer, int length) => Send(buffer[..length]);

    public bool IsDtlsClient => false;

    /// <summary>The simulation carries media only; data channels run over real connections (DataChannelTests).</summary>
    public bool SendSctp(ReadOnlySpan<byte> packet) => false;

    public bool SendRtcp(Span<byte> buffer, int length) => Send(buffer[..length]);

    private bool Send(ReadOnlySpan<byte> packet)
    {
        if (!IsConnected || IsClosed) return false;
        Statistics.PacketsSent++;
        Statistics.BytesSent += packet.Length;
        Client.Downlink.Send(packet, clock.NowMicros, this);
        return true;
    }

    /// <summary>A packet off the uplink, into a buffer with room to protect it again, as the real host hands it over.</summary>
    public void Deliver(byte[] packet)
    {
        if (!IsConnected || IsClosed) return;
        var buffer = new byte[packet.Length + MediaPeer.ProtectionOverhead];
        packet.CopyTo(buffer, 0);
        Statistics.PacketsReceived++;
        Statistics.BytesReceived += packet.Length;
        bool rtcp = packet.Length > 1 && packet[1] is >= 192 and <= 223; // RFC 5761 §4
        if (rtcp) Handler.OnRtcp(this, buffer, packet.Length, clock.NowMillis);
        else Handler.OnRtp(this, buffer, packet.Length, clock.NowMillis);
    }

    public void Close(string reason)
    {
        if (IsClosed) return;
        IsClosed = true;
        CloseReason = reason;
        Handler.OnClosed(this, reason);
    }
}
