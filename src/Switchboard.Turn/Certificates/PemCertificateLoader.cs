using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Switchboard.Turn.Certificates;

/// <summary>Reads a PEM certificate chain and its PEM private key (RSA or EC), with errors that name the file at fault.</summary>
internal static class PemCertificateLoader
{
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";

    /// <summary>The leaf (first certificate of the file) with its private key attached, the rest of the chain, and the key.</summary>
    public static (X509Certificate2 Leaf, X509Certificate2Collection Intermediates, AsymmetricAlgorithm Key) Load(
        string certificatePath, string privateKeyPath)
    {
        string certificateText = ReadText(certificatePath);
        List<X509Certificate2> certificates = ReadCertificates(certificatePath, certificateText);
        AsymmetricAlgorithm? key = null;
        try
        {
            string keyText = privateKeyPath == certificatePath ? certificateText : ReadText(privateKeyPath);
            X509Certificate2 leaf = certificates[0];
            key = ReadKey(privateKeyPath, keyText, leaf);
            X509Certificate2 leafWithKey = AttachKey(leaf, key, certificatePath, privateKeyPath);
            var intermediates = new X509Certificate2Collection();
            foreach (X509Certificate2 certificate in certificates.Skip(1))
                intermediates.Add(certificate);
            leaf.Dispose();
            return (leafWithKey, intermediates, key);
        }
        catch
        {
            key?.Dispose();
            foreach (X509Certificate2 certificate in certificates)
                certificate.Dispose();
            throw;
        }
    }

    private static string ReadText(string path)
    {
        if (!File.Exists(path))
            throw new ServerCertificateException(path, "file not found");
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ServerCertificateException(path, $"cannot be read: {e.Message}", e);
        }
    }

    private static List<X509Certificate2> ReadCertificates(string path, string text)
    {
        var certificates = new List<X509Certificate2>();
        bool anyPem = false;
        ReadOnlySpan<char> rest = text;
        while (PemEncoding.TryFind(rest, out PemFields fields))
        {
            anyPem = true;
            if (rest[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                byte[] der = new byte[fields.DecodedDataLength];
                if (!Convert.TryFromBase64Chars(rest[fields.Base64Data], der, out _))
                    throw new ServerCertificateException(path, $"certificate {certificates.Count + 1} has invalid base64");
                try
                {
                    certificates.Add(X509CertificateLoader.LoadCertificate(der));
                }
                catch (CryptographicException e)
                {
                    foreach (X509Certificate2 certificate in certificates)
                        certificate.Dispose();
                    throw new ServerCertificateException(path,
                        $"certificate {certificates.Count + 1} is not a valid X.509 certificate: {e.Message}", e);
                }
            }
            rest = rest[fields.Location.End..];
        }

        if (certificates.Count == 0)
        {
            throw new ServerCertificateException(path, anyPem
                ? "contains no certificate (no -----BEGIN CERTIFICATE----- block)"
                : "is not PEM (no -----BEGIN CERTIFICATE----- block)");
        }
        string? algorithm = certificates[0].GetKeyAlgorithm();
        if (algorithm is not (RsaOid or EcOid))
        {
            foreach (X509Certificate2 certificate in certificates)
                certificate.Dispose();
            throw new ServerCertificateException(path,
                $"the certificate's key algorithm {algorithm} is not supported (RSA or ECDSA is needed)");
        }
        return certificates;
    }

    private static AsymmetricAlgorithm ReadKey(string path, string text, X509Certificate2 leaf)
    {
        string? label = null;
        int keys = 0;
        bool anyPem = false;
        ReadOnlySpan<char> rest = text;
        while (PemEncoding.TryFind(rest, out PemFields fields))
        {
            anyPem = true;
            string found = rest[fields.Label].ToString();
            if (found is "PRIVATE KEY" or "RSA PRIVATE KEY" or "EC PRIVATE KEY" or "ENCRYPTED PRIVATE KEY")
            {
                label = found;
                keys++;
            }
            rest = rest[fields.Location.End..];
        }

        if (keys == 0)
        {
            throw new ServerCertificateException(path, anyPem
                ? "contains no private key (no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block)"
                : "is not PEM (no -----BEGIN PRIVATE KEY----- block)");
        }
        if (keys > 1)
            throw new ServerCertificateException(path, "contains more than one private key");
        if (label == "ENCRYPTED PRIVATE KEY")
            throw new ServerCertificateException(path, "the private key is encrypted; an unencrypted key is needed");

        bool certificateIsRsa = leaf.GetKeyAlgorithm() == RsaOid;
        bool keyIsRsa = label switch
        {
            "RSA PRIVATE KEY" => true,
            "EC PRIVATE KEY" => false,
            _ => certificateIsRsa,
        };
        AsymmetricAlgorithm? key = TryImport(text, keyIsRsa);
        if (key is null && label == "PRIVATE KEY")
        {
            keyIsRsa = !keyIsRsa;
            key = TryImport(text, keyIsRsa);
        }
        if (key is null)
            throw new ServerCertificateException(path, $"the {label} block is malformed or neither an RSA nor an EC key");
        return key;
    }

    private static AsymmetricAlgorithm? TryImport(string text, bool rsa)
    {
        AsymmetricAlgorithm key = rsa ? RSA.Create() : ECDsa.Create();
        try
        {
            if (key is RSA r)
                r.ImportFromPem(text);
            else
                ((ECDsa)key).ImportFromPem(text);
            return key;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            key.Dispose();
            return null;
        }
    }

    private static X509Certificate2 AttachKey(X509Certificate2 leaf, AsymmetricAlgorithm key, string certificatePath,
        string privateKeyPath)
    {
        bool certificateIsRsa = leaf.GetKeyAlgorithm() == RsaOid;
        string mismatch = $"the private key does not match the certificate in {certificatePath}";
        if (certificateIsRsa != key is RSA)
        {
            throw new ServerCertificateException(privateKeyPath,
                $"{mismatch} (the key is {(key is RSA ? "RSA" : "EC")}, the certificate {(certificateIsRsa ? "RSA" : "ECDSA")})");
        }
        try
        {
            return key is RSA rsa ? leaf.CopyWithPrivateKey(rsa) : leaf.CopyWithPrivateKey((ECDsa)key);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new ServerCertificateException(privateKeyPath, mismatch, e);
        }
    }
}
