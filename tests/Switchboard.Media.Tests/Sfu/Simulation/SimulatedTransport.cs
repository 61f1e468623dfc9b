using Switchboard.Media.Peers;
using Switchboard.Media.Transport;
using Switchboard.Protocols.Sdp;

namespace Switchboard.Media.Tests.Sfu.Simulation;

/// <summary>The SFU's transport in the simulation: connections to the simulated participants, found by their offers' fingerprints.</summary>
internal sealed class SimulatedTransport(SimulatedClock clock) : IMediaTransport
{
    private readonly Dictionary<string, SimulatedParticipant> _byFingerprint = [];
    private int _next;

    public TimeProvider Time => clock;

    public List<SimulatedConnection> Connections { get; } = [];

    public int MaxConnections { get; set; } = int.MaxValue;

    public void Register(string fingerprint, SimulatedParticipant participant) => _byFingerprint[fingerprint] = participant;

    public NewConnection? Connect(WebRtcOffer offer, IMediaPeerHandler handler)
    {
        if (Connections.Count(c => !c.IsClosed) >= MaxConnections) return null;
        SimulatedParticipant client = _byFingerprint[offer.Fingerprint.Value];
        var connection = new SimulatedConnection($"c{++_next}", offer.Fingerprint.Value, handler, client, clock) { TimerDueAt = 0 };
        Connections.Add(connection);
        client.Attach(connection);
        return new NewConnection(connection, Answer(connection, offer.AnswerSetup));
    }

    public bool TryRenegotiate(IMediaConnection connection, WebRtcOffer offer, out AnswerTransport transport)
    {
        transport = null!;
        if (connection is not SimulatedConnection simulated || simulated.IsClosed || simulated.Fingerprint != offer.Fingerprint.Value) return false;
        transport = Answer(simulated, offer.AnswerSetup);
        return true;
    }

    private static AnswerTransport Answer(SimulatedConnection connection, string setup) =>
        new(connection.Id, "simulatedpasswordsimulated", new Fingerprint("sha-256", "00:11:22:33"), setup, [], IceLite: true);
}
