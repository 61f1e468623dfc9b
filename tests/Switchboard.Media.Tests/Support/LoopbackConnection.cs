using System.Net;
using Switchboard.Dtls;
using Switchboard.Media.Tests.Session;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Sdp;

namespace Switchboard.Media.Tests.Support;

/// <summary>The tests' WebRTC client connecting to the media host that answered its offer, over a loopback socket.</summary>
internal static class LoopbackConnection
{
    /// <summary>
    /// Full ICE to the answer's first UDP candidate, then DTLS and SRTP; done when the client's side is connected. The
    /// engine and its socket are added to <paramref name="disposables"/>.
    /// </summary>
    public static async Task<FullIceClientEngine> ConnectAsync(string answerSdp, IceCredentials ice, DtlsCertificate certificate,
        ICollection<IDisposable> disposables, CancellationToken cancel)
    {
        var section = SessionDescription.Parse(answerSdp).Media.First(m => m.Port != 0);
        IceCandidate candidate = section.Candidates.First(c => c.Transport == "udp");
        var server = new IPEndPoint(IPAddress.Parse(candidate.Address), candidate.Port);
        var end = new UdpSocketEnd(server);
        var engine = new FullIceClientEngine(end, server, ice, new IceCredentials(section.IceUfrag!, section.IcePwd!),
            certificate, new CertificateFingerprint(section.Fingerprint!.Algorithm, section.Fingerprint.Value), new DtlsSrtpSettings());
        disposables.Add(engine);
        disposables.Add(end);
        _ = engine.RunAsync(TimeSpan.FromMilliseconds(200), cancel);
        await engine.Connected.Task.WaitAsync(cancel);
        return engine;
    }
}
