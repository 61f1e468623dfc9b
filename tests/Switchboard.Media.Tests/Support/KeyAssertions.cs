using Switchboard.Dtls;
using Switchboard.Protocols.Srtp;

namespace Switchboard.Media.Tests.Support;

internal static class KeyAssertions
{
    /// <summary>
    /// Both sides negotiated DTLS 1.2 with the preferred suite and SRTP profile, and (RFC 5764 §4.2) each side's local
    /// (write) key and salt are the other side's remote (read) ones.
    /// </summary>
    public static void Mirror(SrtpKeyingMaterial server, SrtpKeyingMaterial client)
    {
        foreach (SrtpKeyingMaterial keys in new[] { server, client })
        {
            Assert.Equal(SrtpProfile.AeadAes128Gcm, keys.Profile);
            Assert.Equal("DTLS 1.2", keys.DtlsVersion);
            Assert.Equal(Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, keys.CipherSuite);
            Assert.Equal(16, keys.LocalMasterKey.Length);
            Assert.Equal(16, keys.RemoteMasterKey.Length);
            Assert.Equal(12, keys.LocalMasterSalt.Length);
            Assert.Equal(12, keys.RemoteMasterSalt.Length);
            Assert.NotEqual(keys.LocalMasterKey, keys.RemoteMasterKey);
            Assert.NotEqual(keys.LocalMasterSalt, keys.RemoteMasterSalt);
        }
        Assert.Equal(server.LocalMasterKey, client.RemoteMasterKey);
        Assert.Equal(server.LocalMasterSalt, client.RemoteMasterSalt);
        Assert.Equal(client.LocalMasterKey, server.RemoteMasterKey);
        Assert.Equal(client.LocalMasterSalt, server.RemoteMasterSalt);
    }
}
