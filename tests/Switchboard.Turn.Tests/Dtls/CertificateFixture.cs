using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Turn.Certificates;

namespace Switchboard.Turn.Tests.Dtls;

/// <summary>One self-signed ECDSA server certificate shared by the tests of a class.</summary>
public sealed class CertificateFixture : IDisposable
{
    private readonly TempDirectory _directory = new();

    public CertificateFixture() =>
        Certificate = ServerCertificate.LoadOrCreate(null, null, _directory.Path, NullLogger.Instance);

    public ServerCertificate Certificate { get; }

    public void Dispose()
    {
        Certificate.Dispose();
        _directory.Dispose();
    }
}
