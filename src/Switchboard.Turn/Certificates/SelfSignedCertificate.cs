using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Switchboard.Turn.Certificates;

/// <summary>Makes the server's own certificate when none is configured: ECDSA P-256, SHA-256, CN=switchboard, one year.</summary>
internal static class SelfSignedCertificate
{
    public const string SubjectName = "CN=switchboard";
    public static readonly TimeSpan Validity = TimeSpan.FromDays(365);

    /// <summary>Creates a certificate and writes it to the two PEM files, the key file readable by its owner only.</summary>
    public static void CreateFiles(string certificatePath, string privateKeyPath, DateTimeOffset now)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(SubjectName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());

        // Backdated a little so that a client whose clock is slightly behind still accepts it.
        using X509Certificate2 certificate = request.CreateSelfSigned(now.AddHours(-1), now.Add(Validity));

        WriteAtomically(privateKeyPath, key.ExportPkcs8PrivateKeyPem(), secret: true);
        WriteAtomically(certificatePath, certificate.ExportCertificatePem(), secret: false);
    }

    private static void WriteAtomically(string path, string content, bool secret)
    {
        string temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (secret && !OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(Encoding.ASCII.GetBytes(content + "\n"));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
