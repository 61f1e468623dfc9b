using System.Collections.Concurrent;
using System.Net;
using Switchboard.Dtls;
using Switchboard.Media.Tests.Support;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Stun;

namespace Switchboard.Media.Tests.Session;

/// <summary>
/// The media server's side: an ICE-lite agent that answers checks, DTLS-SRTP in the server role (a=setup:passive),
/// and DTLS and media accepted only from a path a check has validated. The path is the peer's transport address.
/// </summary>
internal sealed class IceLiteServerEngine : MediaEndpoint
{
    private int _malformedStun;

    public IceLiteServerEngine(LinkEnd end, IceCredentials local, IceCredentials remote, DtlsCertificate certificate,
        CertificateFingerprint clientFingerprint, DtlsSrtpSettings settings)
        : base(end, DtlsRole.Server, certificate, clientFingerprint, settings)
    {
        Agent = new IceLiteAgent<string>(local, remote, TimeSpan.FromSeconds(30), Environment.TickCount64);
    }

    public IceLiteAgent<string> Agent { get; }

    public ConcurrentDictionary<IceCheckOutcome, int> CheckOutcomes { get; } = new();

    public int MalformedStun => Volatile.Read(ref _malformedStun);

    /// <summary>Starts the DTLS server: it waits for a ClientHello, which only a validated path can deliver.</summary>
    public void Start() => Dtls.Start();

    protected override bool Accepts(IPEndPoint from) => Agent.IsValidPath(from.ToString());

    protected override void OnStun(IPEndPoint from, byte[] datagram)
    {
        if (StunMessageReader.TryParse(datagram, out StunMessageReader request) != StunParseError.None)
        {
            Interlocked.Increment(ref _malformedStun);
            return;
        }
        Span<byte> response = stackalloc byte[256];
        IceCheckOutcome outcome = Agent.HandleBindingRequest(request, from.ToString(), from, Environment.TickCount64, response, out int length);
        CheckOutcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        if (outcome != IceCheckOutcome.Ignored) Link.Send(response[..length]);
    }
}
