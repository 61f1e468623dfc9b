using Switchboard.Protocols.Sctp;

namespace Switchboard.Protocols.Tests.Sctp.Simulation;

/// <summary>
/// Two associations joined by a simulated link: delay, jitter (hence reordering), loss, duplication and a bandwidth
/// with a drop-tail queue, all drawn from a seeded Random, on a simulated clock. The run loop jumps to the next packet
/// arrival or timer, so minutes of protocol time take milliseconds. Filters see (and may drop) every packet sent.
/// </summary>
public sealed class SimulatedSctpLink
{
    private readonly PriorityQueue<(Endpoint To, byte[] Packet), (long At, long Order)> _inFlight = new();
    private readonly Random _random;
    private long _order;

    public SimulatedSctpLink(LinkSettings? settings = null, SctpOptions? clientOptions = null, SctpOptions? serverOptions = null)
    {
        Settings = settings ?? new LinkSettings();
        _random = new Random(Settings.Seed);
        var seeded = new Random(Settings.Seed + 1000);
        Client = new Endpoint(this, "client", (clientOptions ?? new SctpOptions()) with { RandomUInt32 = () => (uint)seeded.NextInt64(1, uint.MaxValue) });
        Server = new Endpoint(this, "server", (serverOptions ?? new SctpOptions()) with { RandomUInt32 = () => (uint)seeded.NextInt64(1, uint.MaxValue) });
        Client.Peer = Server;
        Server.Peer = Client;
    }

    public LinkSettings Settings { get; set; }
    public long Now { get; private set; }
    public Endpoint Client { get; }
    public Endpoint Server { get; }

    /// <summary>Client connects, server is passive; runs until both are established.</summary>
    public static SimulatedSctpLink Established(LinkSettings? settings = null, SctpOptions? clientOptions = null, SctpOptions? serverOptions = null)
    {
        var link = new SimulatedSctpLink(settings, clientOptions, serverOptions);
        link.Client.Association.Connect(link.Now);
        Assert.True(link.RunUntil(() => link.Client.Association.State == SctpState.Established && link.Server.Association.State == SctpState.Established, 60_000),
            "the handshake did not complete");
        return link;
    }

    /// <summary>Advances time packet by packet and timer by timer until the condition holds; false if the time ran out first.</summary>
    public bool RunUntil(Func<bool> condition, long maxMillis)
    {
        long deadline = Now + maxMillis;
        while (!condition())
        {
            long next = Math.Min(_inFlight.TryPeek(out _, out var key) ? key.At : long.MaxValue,
                Math.Min(Client.Association.NextTimerMillis, Server.Association.NextTimerMillis));
            if (next == long.MaxValue) return condition();
            if (next > deadline)
            {
                Now = deadline;
                return condition();
            }
            Now = Math.Max(Now, next);
            Step();
        }
        return true;
    }

    public void RunFor(long millis) => RunUntil(() => false, millis);

    /// <summary>Delivers the next packet due, or runs the timers due.</summary>
    private void Step()
    {
        if (_inFlight.TryPeek(out _, out var key) && key.At <= Now)
        {
            var (to, packet) = _inFlight.Dequeue();
            to.PacketsDelivered++;
            to.BeforeReceive?.Invoke(packet);
            to.Association.Receive(packet, Now);
            to.AfterReceive?.Invoke(packet);
            return;
        }
        foreach (var endpoint in new[] { Client, Server })
            if (endpoint.Association.NextTimerMillis <= Now) endpoint.Association.OnTimer(Now);
    }

    private void Transmit(Endpoint from, ReadOnlySpan<byte> packet)
    {
        var copy = packet.ToArray();
        from.Sent.Add(copy);
        if (from.Filter is { } filter && !filter(copy)) return;
        if (_random.NextDouble() < Settings.LossRate) return;
        Schedule(from, copy);
        if (_random.NextDouble() < Settings.DuplicationRate) Schedule(from, copy);
    }

    private void Schedule(Endpoint from, byte[] packet)
    {
        long departure = Now;
        if (Settings.BytesPerSecond > 0)
        {
            long start = Math.Max(Now, from.BusyUntil);
            if (start - Now > Settings.QueueLimitMillis) return;
            from.BusyUntil = start + Math.Max(1, packet.Length * 1000L / Settings.BytesPerSecond);
            departure = from.BusyUntil;
        }
        long arrival = departure + Settings.DelayMillis + (Settings.JitterMillis > 0 ? _random.Next(Settings.JitterMillis + 1) : 0);
        _inFlight.Enqueue((from.Peer, packet), (arrival, _order++));
    }

    /// <summary>Puts bytes on the wire toward an endpoint, as if its peer (or an attacker) had sent them.</summary>
    public void Inject(Endpoint to, byte[] packet, long delayMillis = 0) => _inFlight.Enqueue((to, packet), (Now + delayMillis, _order++));

    public sealed class Endpoint
    {
        internal Endpoint(SimulatedSctpLink link, string name, SctpOptions options)
        {
            Name = name;
            Options = options;
            Association = new SctpAssociation(options, packet => link.Transmit(this, packet), Listener);
        }

        public string Name { get; }
        public SctpOptions Options { get; }
        public RecordingListener Listener { get; } = new();
        public SctpAssociation Association { get; }
        public Endpoint Peer { get; internal set; } = null!;

        /// <summary>Every packet this endpoint sent, lost ones included.</summary>
        public List<byte[]> Sent { get; } = [];

        /// <summary>Sees each packet sent; false drops it.</summary>
        public Func<byte[], bool>? Filter { get; set; }

        /// <summary>Called around each packet delivered to this endpoint (tests watch the association's state change).</summary>
        public Action<byte[]>? BeforeReceive { get; set; }
        public Action<byte[]>? AfterReceive { get; set; }

        public long PacketsDelivered { get; internal set; }
        internal long BusyUntil { get; set; }

        public override string ToString() => Name;
    }
}
