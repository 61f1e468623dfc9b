using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Org.BouncyCastle.Crypto.Parameters;
using Switchboard.Turn.Certificates;

namespace Switchboard.Turn.Tests.Certificates;

public sealed class ServerCertificateTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private ServerCertificate LoadOrCreateOwn() =>
        ServerCertificate.LoadOrCreate(null, null, _directory.Path, NullLogger.Instance);

    [Fact]
    public void CreatesSelfSignedEcdsaCertificateAtFirstStart()
    {
        using ServerCertificate certificate = LoadOrCreateOwn();

        Assert.True(certificate.IsSelfSigned);
        Assert.Equal(ServerKeyAlgorithm.Ecdsa, certificate.KeyAlgorithm);
        X509Certificate2 x509 = certificate.Certificate;
        Assert.True(x509.HasPrivateKey);
        Assert.Equal("CN=switchboard", x509.Subject);
        Assert.Equal("1.2.840.10045.4.3.2", x509.SignatureAlgorithm.Value); // ecdsa-with-SHA256
        using (ECDsa publicKey = x509.GetECDsaPublicKey()!)
            Assert.Equal(256, publicKey.KeySize);
        Assert.InRange(x509.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(364), DateTime.UtcNow.AddDays(366));
        Assert.True(x509.NotBefore.ToUniversalTime() <= DateTime.UtcNow);

        X509SubjectAlternativeNameExtension names =
            x509.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["localhost"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], names.EnumerateIPAddresses());

        string certificateFile = _directory.File(ServerCertificate.SelfSignedCertificateFile);
        string keyFile = _directory.File(ServerCertificate.SelfSignedKeyFile);
        Assert.Equal(certificateFile, certificate.CertificatePath);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(certificateFile));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(keyFile));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));

        Assert.Equal(BitConverter.ToString(SHA256.HashData(x509.RawData)).Replace('-', ':'), certificate.Sha256Fingerprint);
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", certificate.Sha256Fingerprint);
        Assert.Single(certificate.BouncyCastleChain);
        Assert.Equal(x509.RawData, certificate.BouncyCastleChain[0].GetEncoded());
        Assert.IsType<ECPrivateKeyParameters>(certificate.BouncyCastlePrivateKey);
    }

    [Fact]
    public void CreatesTheDataDirectoryWhenMissing()
    {
        string nested = Path.Combine(_directory.Path, "data", "switchboard");
        using ServerCertificate certificate = ServerCertificate.LoadOrCreate(null, "", nested, NullLogger.Instance);
        Assert.True(File.Exists(Path.Combine(nested, ServerCertificate.SelfSignedKeyFile)));
    }

    [Fact]
    public void ReusesTheSelfSignedCertificateOnTheNextStart()
    {
        string first;
        using (ServerCertificate certificate = LoadOrCreateOwn())
            first = certificate.Certificate.Thumbprint;
        DateTime written = File.GetLastWriteTimeUtc(_directory.File(ServerCertificate.SelfSignedKeyFile));

        using ServerCertificate again = LoadOrCreateOwn();

        Assert.Equal(first, again.Certificate.Thumbprint);
        Assert.True(again.Certificate.HasPrivateKey);
        Assert.Equal(written, File.GetLastWriteTimeUtc(_directory.File(ServerCertificate.SelfSignedKeyFile)));
    }

    [Fact]
    public void RegeneratesAnExpiredSelfSignedCertificate()
    {
        (X509Certificate2 expired, AsymmetricAlgorithm key) = TestCertificates.CreateSelfSigned("CN=switchboard", rsa: false,
            DateTimeOffset.UtcNow.AddDays(-400), DateTimeOffset.UtcNow.AddDays(-35));
        using (expired)
        using (key)
        {
            File.WriteAllText(_directory.File(ServerCertificate.SelfSignedCertificateFile), expired.ExportCertificatePem());
            File.WriteAllText(_directory.File(ServerCertificate.SelfSignedKeyFile), TestCertificates.KeyPem(key));

            using ServerCertificate certificate = LoadOrCreateOwn();

            Assert.NotEqual(expired.Thumbprint, certificate.Certificate.Thumbprint);
            Assert.True(certificate.NotAfterUtc > DateTime.UtcNow.AddDays(300));
        }
    }

    [Fact]
    public void RegeneratesAnUnreadableSelfSignedCertificate()
    {
        File.WriteAllText(_directory.File(ServerCertificate.SelfSignedCertificateFile), "garbage");
        File.WriteAllText(_directory.File(ServerCertificate.SelfSignedKeyFile), "garbage");

        using ServerCertificate certificate = LoadOrCreateOwn();

        Assert.True(certificate.Certificate.HasPrivateKey);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public void LoadsAConfiguredPemPair(bool rsa, bool traditionalKeyFormat)
    {
        (X509Certificate2 x509, AsymmetricAlgorithm key) = TestCertificates.CreateSelfSigned("CN=turn.example", rsa);
        using (x509)
        using (key)
        {
            string certificateFile = _directory.File("cert.pem");
            string keyFile = _directory.File("key.pem");
            File.WriteAllText(certificateFile, x509.ExportCertificatePem());
            File.WriteAllText(keyFile, TestCertificates.KeyPem(key, traditionalKeyFormat));

            using ServerCertificate certificate =
                ServerCertificate.LoadOrCreate(certificateFile, keyFile, _directory.File("data"), NullLogger.Instance);

            Assert.False(certificate.IsSelfSigned);
            Assert.Equal(x509.Thumbprint, certificate.Certificate.Thumbprint);
            Assert.True(certificate.Certificate.HasPrivateKey);
            Assert.Equal(rsa ? ServerKeyAlgorithm.Rsa : ServerKeyAlgorithm.Ecdsa, certificate.KeyAlgorithm);
            if (rsa)
                Assert.IsType<RsaPrivateCrtKeyParameters>(certificate.BouncyCastlePrivateKey);
            else
                Assert.IsType<ECPrivateKeyParameters>(certificate.BouncyCastlePrivateKey);
            Assert.False(Directory.Exists(_directory.File("data")));
        }
    }

    [Fact]
    public void LoadsAChainAndAKeyKeptInTheCertificateFile()
    {
        (X509Certificate2 ca, X509Certificate2 leaf, ECDsa leafKey) = TestCertificates.CreateChain();
        using (ca)
        using (leaf)
        using (leafKey)
        {
            string file = _directory.File("bundle.pem");
            File.WriteAllText(file, leaf.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n" +
                TestCertificates.KeyPem(leafKey, traditional: true));

            using ServerCertificate certificate = ServerCertificate.LoadOrCreate(file, null, _directory.Path, NullLogger.Instance);

            Assert.Equal(leaf.Thumbprint, certificate.Certificate.Thumbprint);
            Assert.Equal(ca.Thumbprint, Assert.Single(certificate.Intermediates).Thumbprint);
            Assert.Equal(2, certificate.BouncyCastleChain.Count);
            Assert.Equal(ca.RawData, certificate.BouncyCastleChain[1].GetEncoded());
        }
    }

    [Fact]
    public void MissingCertificateFileIsNamed()
    {
        string missing = _directory.File("nope.pem");
        var error = Assert.Throws<ServerCertificateException>(() =>
            ServerCertificate.LoadOrCreate(missing, _directory.File("key.pem"), _directory.Path, NullLogger.Instance));
        Assert.Equal(missing, error.FilePath);
        Assert.Contains(missing, error.Message);
        Assert.Contains("not found", error.Message);
    }

    [Fact]
    public void MissingKeyFileIsNamed()
    {
        (X509Certificate2 x509, AsymmetricAlgorithm key) = TestCertificates.CreateSelfSigned("CN=turn.example", rsa: false);
        using (x509)
        using (key)
        {
            string certificateFile = _directory.File("cert.pem");
            File.WriteAllText(certificateFile, x509.ExportCertificatePem());
            string missing = _directory.File("key.pem");
            var error = Assert.Throws<ServerCertificateException>(() =>
                ServerCertificate.LoadOrCreate(certificateFile, missing, _directory.Path, NullLogger.Instance));
            Assert.Equal(missing, error.FilePath);
            Assert.Contains("not found", error.Message);
        }
    }

    [Fact]
    public void CertificateFileThatIsNotPemIsNamed()
    {
        (X509Certificate2 x509, AsymmetricAlgorithm key) = TestCertificates.CreateSelfSigned("CN=turn.example", rsa: false);
        using (x509)
        using (key)
        {
            string certificateFile = _directory.File("cert.der");
            File.WriteAllBytes(certificateFile, x509.RawData);
            string keyFile = _directory.File("key.pem");
            File.WriteAllText(keyFile, TestCertificates.KeyPem(key));
            var error = Assert.Throws<ServerCertificateException>(() =>
                ServerCertificate.LoadOrCreate(certificateFile, keyFile, _directory.Path, NullLogger.Instance));
            Assert.Equal(certificateFile, error.FilePath);
            Assert.Contains("not PEM", error.Message);
        }
    }

    [Fact]
    public void KeyFileWithoutAKeyIsNamed()
    {
        (X509Certificate2 x509, AsymmetricAlgorithm key) = TestCertificates.CreateSelfSigned("CN=turn.example", rsa: false);
        using (x509)
        using (key)
        {
            string certificateFile = _directory.File("cert.pem");
            File.WriteAllText(certificateFile, x509.ExportCertificatePem());
            var error = Assert.Throws<ServerCertificateException>(() =>
                ServerCertificate.LoadOrCreate(certificateFile, certificateFile, _directory.Path, NullLogger.Instance));
            Assert.Equal(certificateFile, error.FilePath);
            Assert.Contains("no private key", error.Message);
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void MismatchedKeyIsRefused(bool certificateRsa, bool keyRsa)
    {
        (X509Certificate2 x509, AsymmetricAlgorithm key) = TestCertificates.CreateSelfSigned("CN=turn.example", certificateRsa);
        using AsymmetricAlgorithm other = keyRsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using (x509)
        using (key)
        {
            string certificateFile = _directory.File("cert.pem");
            string keyFile = _directory.File("key.pem");
            File.WriteAllText(certificateFile, x509.ExportCertificatePem());
            File.WriteAllText(keyFile, TestCertificates.KeyPem(other));

            var error = Assert.Throws<ServerCertificateException>(() =>
                ServerCertificate.LoadOrCreate(certificateFile, keyFile, _directory.Path, NullLogger.Instance));

            Assert.Equal(keyFile, error.FilePath);
            Assert.Contains("does not match the certificate in " + certificateFile, error.Message);
        }
    }

    [Fact]
    public void EncryptedKeyIsRefused()
    {
        (X509Certificate2 x509, AsymmetricAlgorithm key) = TestCertificates.CreateSelfSigned("CN=turn.example", rsa: false);
        using (x509)
        using (key)
        {
            string certificateFile = _directory.File("cert.pem");
            string keyFile = _directory.File("key.pem");
            File.WriteAllText(certificateFile, x509.ExportCertificatePem());
            File.WriteAllText(keyFile, key.ExportEncryptedPkcs8PrivateKeyPem("secret",
                new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000)));

            var error = Assert.Throws<ServerCertificateException>(() =>
                ServerCertificate.LoadOrCreate(certificateFile, keyFile, _directory.Path, NullLogger.Instance));

            Assert.Contains("encrypted", error.Message);
        }
    }

    [Fact]
    public void KeyWithoutCertificateIsRefused()
    {
        string keyFile = _directory.File("key.pem");
        var error = Assert.Throws<ServerCertificateException>(() =>
            ServerCertificate.LoadOrCreate(null, keyFile, _directory.Path, NullLogger.Instance));
        Assert.Equal(keyFile, error.FilePath);
    }
}
