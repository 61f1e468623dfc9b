using Microsoft.Extensions.Logging;
using Switchboard.Turn.Certificates;

namespace Switchboard.Turn.Configuration;

/// <summary>
/// The TLS/DTLS certificate, loaded when first needed: Turn:CertificatePath/PrivateKeyPath, or a
/// self-signed one made at first start and kept in the data directory.
/// </summary>
public sealed class TurnCertificateProvider(TurnOptions options, string dataDirectory, ILogger<TurnCertificateProvider> logger) : IDisposable
{
    private readonly Lazy<ServerCertificate> _certificate = new(() =>
        ServerCertificate.LoadOrCreate(options.CertificatePath, options.PrivateKeyPath, dataDirectory, logger));

    public ServerCertificate Get() => _certificate.Value;

    public void Dispose()
    {
        if (_certificate.IsValueCreated) _certificate.Value.Dispose();
    }
}
