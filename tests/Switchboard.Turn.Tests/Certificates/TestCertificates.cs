using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Switchboard.Turn.Tests.Certificates;

/// <summary>Certificates made on the fly for tests.</summary>
internal static class TestCertificates
{
    public static (X509Certificate2 Certificate, AsymmetricAlgorithm Key) CreateSelfSigned(string subject, bool rsa,
        DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        CertificateRequest request = rsa
            ? new CertificateRequest(subject, (RSA)key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        return (request.CreateSelfSigned(notBefore, notAfter), key);
    }

    public static (X509Certificate2 Certificate, AsymmetricAlgorithm Key) CreateSelfSigned(string subject, bool rsa) =>
        CreateSelfSigned(subject, rsa, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

    /// <summary>A CA and an ECDSA leaf it signed.</summary>
    public static (X509Certificate2 Ca, X509Certificate2 Leaf, ECDsa LeafKey) CreateChain()
    {
        using ECDsa caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        X509Certificate2 ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(60));

        ECDsa leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=turn.example", leafKey, HashAlgorithmName.SHA256);
        X509Certificate2 leaf = leafRequest.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30),
            [1, 2, 3, 4]);
        return (ca, leaf, leafKey);
    }

    public static string KeyPem(AsymmetricAlgorithm key, bool traditional = false) => key switch
    {
        RSA rsa => traditional ? rsa.ExportRSAPrivateKeyPem() : rsa.ExportPkcs8PrivateKeyPem(),
        ECDsa ec => traditional ? ec.ExportECPrivateKeyPem() : ec.ExportPkcs8PrivateKeyPem(),
        _ => throw new ArgumentException("unsupported key", nameof(key)),
    };
}
