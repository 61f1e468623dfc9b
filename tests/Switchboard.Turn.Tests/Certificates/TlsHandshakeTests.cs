using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Turn.Certificates;

namespace Switchboard.Turn.Tests.Certificates;

/// <summary>The certificate works as an SslStream server certificate (a real TLS handshake over loopback TCP).</summary>
public sealed class TlsHandshakeTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task SelfSignedCertificateCompletesATlsHandshake()
    {
        using ServerCertificate certificate = ServerCertificate.LoadOrCreate(null, null, _directory.Path, NullLogger.Instance);
        await HandshakeAsync(certificate, "localhost");
    }

    [Fact]
    public async Task ReusedSelfSignedCertificateCompletesATlsHandshake()
    {
        ServerCertificate.LoadOrCreate(null, null, _directory.Path, NullLogger.Instance).Dispose();
        using ServerCertificate certificate = ServerCertificate.LoadOrCreate(null, null, _directory.Path, NullLogger.Instance);
        await HandshakeAsync(certificate, "localhost");
    }

    [Fact]
    public async Task ConfiguredRsaCertificateCompletesATlsHandshake()
    {
        (X509Certificate2 x509, AsymmetricAlgorithm key) = TestCertificates.CreateSelfSigned("CN=turn.example", rsa: true);
        using (x509)
        using (key)
        {
            File.WriteAllText(_directory.File("cert.pem"), x509.ExportCertificatePem());
            File.WriteAllText(_directory.File("key.pem"), TestCertificates.KeyPem(key, traditional: true));
            using ServerCertificate certificate = ServerCertificate.LoadOrCreate(_directory.File("cert.pem"),
                _directory.File("key.pem"), _directory.Path, NullLogger.Instance);
            await HandshakeAsync(certificate, "turn.example");
        }
    }

    [Fact]
    public async Task ConfiguredChainIsSentToTheClient()
    {
        (X509Certificate2 ca, X509Certificate2 leaf, ECDsa leafKey) = TestCertificates.CreateChain();
        using (ca)
        using (leaf)
        using (leafKey)
        {
            File.WriteAllText(_directory.File("chain.pem"), leaf.ExportCertificatePem() + "\n" + ca.ExportCertificatePem());
            File.WriteAllText(_directory.File("key.pem"), TestCertificates.KeyPem(leafKey));
            using ServerCertificate certificate = ServerCertificate.LoadOrCreate(_directory.File("chain.pem"),
                _directory.File("key.pem"), _directory.Path, NullLogger.Instance);

            // The client trusts only the CA: the handshake succeeds only if the chain validates against it.
            await HandshakeAsync(certificate, "turn.example", trustedRoot: ca);
        }
    }

    private static async Task HandshakeAsync(ServerCertificate certificate, string targetHost, X509Certificate2? trustedRoot = null)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endPoint = (IPEndPoint)listener.LocalEndpoint;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        Task server = Task.Run(async () =>
        {
            using TcpClient accepted = await listener.AcceptTcpClientAsync(cancel.Token);
            await using var tls = new SslStream(accepted.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = certificate.CreateSslStreamContext(),
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            }, cancel.Token);
            byte[] buffer = new byte[5];
            await tls.ReadExactlyAsync(buffer, cancel.Token);
            await tls.WriteAsync(buffer, cancel.Token);
        });

        using var client = new TcpClient();
        await client.ConnectAsync(endPoint, cancel.Token);
        await using var clientTls = new SslStream(client.GetStream());
        X509Certificate2? presented = null;
        await clientTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            RemoteCertificateValidationCallback = (_, cert, chain, errors) =>
            {
                presented = cert is null ? null : X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
                if (trustedRoot is null)
                    return errors == SslPolicyErrors.RemoteCertificateChainErrors; // self-signed, name matches
                using var custom = new X509Chain();
                custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                custom.ChainPolicy.CustomTrustStore.Add(trustedRoot);
                custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                custom.ChainPolicy.ExtraStore.AddRange(chain!.ChainElements.Select(e => e.Certificate).ToArray());
                return custom.Build(X509CertificateLoader.LoadCertificate(cert!.GetRawCertData()));
            },
        }, cancel.Token);

        await clientTls.WriteAsync("hello"u8.ToArray(), cancel.Token);
        byte[] echoed = new byte[5];
        await clientTls.ReadExactlyAsync(echoed, cancel.Token);
        await server;

        Assert.Equal("hello"u8.ToArray(), echoed);
        Assert.NotNull(presented);
        Assert.Equal(certificate.Certificate.Thumbprint, presented.Thumbprint);
        Assert.Equal(certificate.Sha256Fingerprint,
            BitConverter.ToString(SHA256.HashData(presented.RawData)).Replace('-', ':'));
    }
}
