using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchboard.Media.Contracts;
using Switchboard.Media.Sfu;

namespace Switchboard.Media.Tests.Sfu.Simulation;

/// <summary>
/// Whole SFU rooms in memory and in simulated time, like the TURN tests' harness: a real <see cref="SfuService"/> over
/// a <see cref="SimulatedTransport"/>, simulated participants that publish (audio, VP8 simulcast) and subscribe as
/// browsers do (NACK, PLI, transport-wide feedback, receiver reports, the layers they are told to pause), links with
/// delay, loss, reordering and bottlenecks, and the host's 100 ms timer. One step is one millisecond; nothing runs
/// in real time and every random choice comes from one seed, so a run is the same each time.
/// </summary>
internal sealed class SfuHarness
{
    public const string Room = "room";

    /// <summary>The media host's timer period (MediaTransportHost).</summary>
    public const int HostTimerMillis = 100;

    private readonly List<SimulatedParticipant> _participants = [];

    public SfuHarness(int seed = 1, Action<SfuOptions>? configure = null)
    {
        Random = new Random(seed);
        Transport = new SimulatedTransport(Clock);
        var options = new MediaOptions();
        configure?.Invoke(options.Sfu);
        Sfu = new SfuService(Transport, Options.Create(options), NullLogger<SfuService>.Instance);
        Sfu.LayersChanged += demand =>
        {
            LayerDemands.Add((Clock.NowMillis, demand));
            _participants.FirstOrDefault(p => p.Id == demand.ParticipantId)?.OnLayerDemand(demand);
        };
        Sfu.SpeakersChanged += change => SpeakerChanges.Add((Clock.NowMillis, change.Speakers.Select(s => s.ParticipantId).ToArray()));
        Sfu.ParticipantWarned += warning => Warnings.Add(warning);
        Sfu.TracksChanged += _ => TracksChanges++;
    }

    public SimulatedClock Clock { get; } = new();
    public Random Random { get; }
    public SimulatedTransport Transport { get; }
    public SfuService Sfu { get; }

    public List<(long AtMillis, LayerDemand Demand)> LayerDemands { get; } = [];
    public List<(long AtMillis, string[] Speakers)> SpeakerChanges { get; } = [];
    public List<MediaWarning> Warnings { get; } = [];
    public int TracksChanges { get; private set; }

    public long NowMillis => Clock.NowMillis;

    /// <summary>A participant that joins the room and offers at once (publishing what <paramref name="publish"/> says).</summary>
    public SimulatedParticipant Join(string id, PublishSpec? publish = null)
    {
        var participant = new SimulatedParticipant(this, id, publish ?? PublishSpec.Nothing);
        _participants.Add(participant);
        participant.Offer();
        return participant;
    }

    public void Leave(SimulatedParticipant participant)
    {
        _participants.Remove(participant);
        Sfu.Leave(Room, participant.Id);
    }

    public void Run(TimeSpan duration)
    {
        long end = Clock.NowMicros + (long)duration.TotalMicroseconds;
        while (Clock.NowMicros < end) Step();
    }

    /// <summary>Runs until <paramref name="condition"/> holds, or fails after <paramref name="limit"/> of simulated time.</summary>
    public void RunUntil(Func<bool> condition, TimeSpan limit, string what)
    {
        long end = Clock.NowMicros + (long)limit.TotalMicroseconds;
        while (!condition())
        {
            if (Clock.NowMicros >= end) Assert.Fail($"not within {limit.TotalSeconds} s of simulated time: {what}");
            Step();
        }
    }

    private void Step()
    {
        Clock.Advance(1000);
        long now = Clock.NowMillis;
        foreach (SimulatedConnection connection in Transport.Connections) connection.Connect();
        SimulatedParticipant[] participants = [.. _participants];
        foreach (SimulatedParticipant participant in participants) participant.Tick(now);
        foreach (SimulatedParticipant participant in participants)
            while (participant.Uplink.TryReceive(Clock.NowMicros, out byte[] packet, out SimulatedConnection? connection)) connection?.Deliver(packet);
        if (now % HostTimerMillis == 0)
            foreach (SimulatedConnection connection in Transport.Connections)
                if (connection is { IsConnected: true, IsClosed: false } && now >= connection.TimerDueAt)
                    connection.TimerDueAt = connection.Handler.OnTimer(connection, now);
        foreach (SimulatedParticipant participant in participants)
            while (participant.Downlink.TryReceive(Clock.NowMicros, out byte[] packet, out SimulatedConnection? connection))
                if (connection == participant.Connection) participant.Receive(packet, now);
    }
}
