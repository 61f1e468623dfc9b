using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;

namespace Switchboard.Turn.Certificates;

/// <summary>
/// The certificate the TLS and DTLS listeners present, with its private key: as an <see cref="X509Certificate2"/> for
/// SslStream and as BouncyCastle structures for the DTLS server.
/// </summary>
public sealed class ServerCertificate : IDisposable
{
    /// <summary>File name of the self-signed certificate in the data directory.</summary>
    public const string SelfSignedCertificateFile = "turn-cert.pem";

    /// <summary>File name of the self-signed certificate's private key in the data directory.</summary>
    public const string SelfSignedKeyFile = "turn-key.pem";

    private ServerCertificate(X509Certificate2 certificate, X509Certificate2Collection intermediates,
        AsymmetricAlgorithm key, string certificatePath, string privateKeyPath, bool isSelfSigned)
    {
        Certificate = certificate;
        Intermediates = intermediates;
        CertificatePath = certificatePath;
        PrivateKeyPath = privateKeyPath;
        IsSelfSigned = isSelfSigned;
        KeyAlgorithm = key is RSA ? ServerKeyAlgorithm.Rsa : ServerKeyAlgorithm.Ecdsa;
        Sha256Fingerprint = BitConverter.ToString(SHA256.HashData(certificate.RawData)).Replace('-', ':');
        BouncyCastleChain = [X509CertificateStructure.GetInstance(certificate.RawData),
            .. intermediates.Select(c => X509CertificateStructure.GetInstance(c.RawData))];
        BouncyCastlePrivateKey = PrivateKeyFactory.CreateKey(key.ExportPkcs8PrivateKey());
    }

    /// <summary>The leaf certificate with its private key, usable as an SslStream server certificate.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The rest of the chain as given in the certificate file (leaf excluded); empty for a self-signed one.</summary>
    public X509Certificate2Collection Intermediates { get; }

    public ServerKeyAlgorithm KeyAlgorithm { get; }

    /// <summary>SHA-256 of the leaf certificate, upper-case hex bytes separated by colons (AB:CD:...).</summary>
    public string Sha256Fingerprint { get; }

    /// <summary>The chain for BouncyCastle (D)TLS, leaf first.</summary>
    public IReadOnlyList<X509CertificateStructure> BouncyCastleChain { get; }

    /// <summary>The private key for BouncyCastle (RsaPrivateCrtKeyParameters or ECPrivateKeyParameters).</summary>
    public AsymmetricKeyParameter BouncyCastlePrivateKey { get; }

    public string CertificatePath { get; }
    public string PrivateKeyPath { get; }

    /// <summary>True when the certificate was made by this server rather than configured.</summary>
    public bool IsSelfSigned { get; }

    public DateTime NotAfterUtc => Certificate.NotAfter.ToUniversalTime();

    /// <summary>An SslStream context that also sends the intermediate certificates.</summary>
    public SslStreamCertificateContext CreateSslStreamContext() =>
        SslStreamCertificateContext.Create(Certificate, Intermediates, offline: true);

    /// <summary>
    /// Loads the configured PEM certificate (chain allowed) and PEM private key; without a configured certificate, uses
    /// dataDirectory/turn-cert.pem and turn-key.pem, creating a self-signed ECDSA P-256 certificate when they are
    /// missing, unreadable or expired. A certificate path without a key path reads the key from the certificate file.
    /// </summary>
    /// <exception cref="ServerCertificateException">A configured file is missing, not PEM, or the key does not match.</exception>
    public static ServerCertificate LoadOrCreate(string? certificatePath, string? privateKeyPath, string dataDirectory,
        ILogger logger)
    {
        if (!string.IsNullOrWhiteSpace(certificatePath) || !string.IsNullOrWhiteSpace(privateKeyPath))
        {
            if (string.IsNullOrWhiteSpace(certificatePath))
                throw new ServerCertificateException(privateKeyPath!, "a private key is configured but no certificate");
            string keyPath = string.IsNullOrWhiteSpace(privateKeyPath) ? certificatePath : privateKeyPath;
            ServerCertificate configured = Load(certificatePath, keyPath, isSelfSigned: false);
            if (configured.NotAfterUtc <= DateTime.UtcNow)
            {
                logger.LogWarning("Certificate {Path} expired on {NotAfter:u}; clients will reject it",
                    certificatePath, configured.NotAfterUtc);
            }
            logger.LogInformation("Loaded certificate {Path} ({Subject}, {Algorithm}, valid until {NotAfter:u}, SHA-256 {Fingerprint})",
                certificatePath, configured.Certificate.Subject, configured.KeyAlgorithm, configured.NotAfterUtc,
                configured.Sha256Fingerprint);
            return configured;
        }

        if (!Directory.Exists(dataDirectory))
        {
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(dataDirectory);
            else
                Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        string ownCertificate = Path.Combine(dataDirectory, SelfSignedCertificateFile);
        string ownKey = Path.Combine(dataDirectory, SelfSignedKeyFile);

        if (File.Exists(ownCertificate) && File.Exists(ownKey))
        {
            ServerCertificate? existing = null;
            try
            {
                existing = Load(ownCertificate, ownKey, isSelfSigned: true);
            }
            catch (ServerCertificateException e)
            {
                logger.LogWarning("Self-signed certificate unusable, making a new one: {Reason}", e.Message);
            }
            if (existing is not null && existing.NotAfterUtc > DateTime.UtcNow)
            {
                WarnIfKeyReadableByOthers(ownKey, logger);
                logger.LogInformation("Using self-signed certificate {Path} (valid until {NotAfter:u}, SHA-256 {Fingerprint})",
                    ownCertificate, existing.NotAfterUtc, existing.Sha256Fingerprint);
                return existing;
            }
            if (existing is not null)
            {
                logger.LogInformation("Self-signed certificate {Path} expired on {NotAfter:u}, making a new one",
                    ownCertificate, existing.NotAfterUtc);
                existing.Dispose();
            }
        }

        SelfSignedCertificate.CreateFiles(ownCertificate, ownKey, DateTimeOffset.UtcNow);
        ServerCertificate created = Load(ownCertificate, ownKey, isSelfSigned: true);
        logger.LogInformation("Created self-signed certificate {Path} (valid until {NotAfter:u}, SHA-256 {Fingerprint})",
            ownCertificate, created.NotAfterUtc, created.Sha256Fingerprint);
        return created;
    }

    /// <summary>Loads a PEM certificate (chain allowed) and a PEM private key, which may be the same file.</summary>
    /// <exception cref="ServerCertificateException">A file is missing, not PEM, or the key does not match.</exception>
    public static ServerCertificate Load(string certificatePath, string privateKeyPath) =>
        Load(certificatePath, privateKeyPath, isSelfSigned: false);

    private static ServerCertificate Load(string certificatePath, string privateKeyPath, bool isSelfSigned)
    {
        (X509Certificate2 leaf, X509Certificate2Collection intermediates, AsymmetricAlgorithm key) =
            PemCertificateLoader.Load(certificatePath, privateKeyPath);
        try
        {
            return new ServerCertificate(ForSslStream(leaf), intermediates, key, certificatePath, privateKeyPath, isSelfSigned);
        }
        finally
        {
            key.Dispose();
        }
    }

    /// <summary>
    /// A key imported from PEM is ephemeral. Windows' TLS stack (SChannel) cannot use an ephemeral key, so there the
    /// certificate goes through a PKCS#12 export and import; on Linux OpenSSL uses it as it is.
    /// </summary>
    private static X509Certificate2 ForSslStream(X509Certificate2 leaf)
    {
        if (!OperatingSystem.IsWindows())
            return leaf;
        using (leaf)
        {
            byte[] pkcs12 = leaf.Export(X509ContentType.Pkcs12);
            return X509CertificateLoader.LoadPkcs12(pkcs12, null, X509KeyStorageFlags.DefaultKeySet);
        }
    }

    private static void WarnIfKeyReadableByOthers(string keyPath, ILogger logger)
    {
        if (OperatingSystem.IsWindows())
            return;
        UnixFileMode mode = File.GetUnixFileMode(keyPath);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
            logger.LogWarning("Private key {Path} is readable by other users (mode {Mode})", keyPath, mode);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        foreach (X509Certificate2 certificate in Intermediates)
            certificate.Dispose();
    }
}
