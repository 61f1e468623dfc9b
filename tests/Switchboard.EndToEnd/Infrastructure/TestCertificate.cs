using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>Self-signed certificates for TLS/DTLS listeners under test.</summary>
public static class TestCertificate
{
    /// <summary>
    /// Writes an ECDSA P-256 certificate for 127.0.0.1 (subject and IP SAN) and its PKCS#8 key as PEM files into
    /// <paramref name="directory"/>, and returns their paths.
    /// </summary>
    public static (string CertificatePath, string PrivateKeyPath) WriteSelfSigned(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));

        var certificatePath = System.IO.Path.Combine(directory, "cert.pem");
        var keyPath = System.IO.Path.Combine(directory, "key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        return (certificatePath, keyPath);
    }
}
