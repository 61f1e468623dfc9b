using Switchboard.Dtls;

namespace Switchboard.Media.Tests.Support;

/// <summary>A <see cref="DtlsSrtpSession"/> wired to one end of an <see cref="InMemoryLink"/>, with its events as tasks.</summary>
internal sealed class DtlsPeer
{
    private int _connectedCount;
    private int _endedCount;

    public DtlsPeer(DtlsRole role, DtlsCertificate certificate, CertificateFingerprint expectedPeer, LinkEnd end, DtlsSrtpSettings settings)
    {
        Session = new DtlsSrtpSession(role, certificate, expectedPeer, end.Send, settings);
        Session.Connected += keys =>
        {
            Interlocked.Increment(ref _connectedCount);
            Connected.TrySetResult(keys);
        };
        Session.Ended += reason =>
        {
            Interlocked.Increment(ref _endedCount);
            Ended.TrySetResult(reason);
        };
        end.Receive = (_, datagram) => Session.OnDatagram(datagram);
    }

    public DtlsSrtpSession Session { get; }

    public TaskCompletionSource<SrtpKeyingMaterial> Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<string> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int ConnectedCount => Volatile.Read(ref _connectedCount);

    public int EndedCount => Volatile.Read(ref _endedCount);
}

/// <summary>Certificates made once for the whole test run (making one takes a few milliseconds, not nothing).</summary>
internal static class TestCertificates
{
    public static readonly DtlsCertificate Server = DtlsCertificate.Create("switchboard-server");
    public static readonly DtlsCertificate Client = DtlsCertificate.Create("switchboard-client");
    public static readonly DtlsCertificate Other = DtlsCertificate.Create("someone-else");
}
