using Switchboard.Protocols.Srtp;

namespace Switchboard.Protocols.Tests.Srtp;

/// <summary>Published vectors: RFC 3711 Appendix B.2 (AES-CM keystream), B.3 (key derivation), RFC 7714 §16-17 (AES-GCM).</summary>
public class SrtpVectorTests
{
    static byte[] Hex(string hex) => Convert.FromHexString(hex);

    [Fact]
    public void Rfc3711_B2_counter_mode_keystream()
    {
        using var aes = new AesCounterMode(Hex("2B7E151628AED2A6ABF7158809CF4F3C"));
        var keystream = new byte[0xFF02 * 16]; // zeros: what comes out is the keystream itself
        aes.Apply(Hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"), keystream);

        string Block(int counter) => Convert.ToHexString(keystream, counter * 16, 16);
        Assert.Equal("E03EAD0935C95E80E166B16DD92B4EB4", Block(0x0000));
        Assert.Equal("D23513162B02D0F72A43A2FE4A5F97AB", Block(0x0001));
        Assert.Equal("41E95B3BB0A2E8DD477901E4FCA894C0", Block(0x0002));
        Assert.Equal("EC8CDF7398607CB0F2D21675EA9EA1E4", Block(0xFEFF));
        Assert.Equal("362B7C3C6773516318A077D7FC5073AE", Block(0xFF00));
        Assert.Equal("6A2CC3787889374FBEB4C81B17BA6C44", Block(0xFF01));
    }

    [Fact]
    public void Rfc3711_B3_key_derivation()
    {
        var masterKey = Hex("E1F97A0D3E018BE0D64FA32C06DE4139");
        var masterSalt = Hex("0EC675AD498AFEEBB6960B3AABE6");
        var cipherKey = new byte[16];
        var cipherSalt = new byte[14];
        var authKey = new byte[94];
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpEncryption, cipherKey);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpSalt, cipherSalt);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpAuthentication, authKey);

        Assert.Equal("C61E7A93744F39EE10734AFE3FF7A087", Convert.ToHexString(cipherKey));
        Assert.Equal("30CBBC08863D8C85D49DB34A9AE1", Convert.ToHexString(cipherSalt));
        Assert.Equal(
            "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE" +
            "E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25" +
            "6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2", Convert.ToHexString(authKey));
    }

    // RFC 7714 §16: "Gallia est omnis divisa in partes tres", SSRC 0x5501a0b2, sequence number 0xf17b, ROC 0.
    const string GcmKey = "000102030405060708090a0b0c0d0e0f", GcmSalt = "517569642070726f2071756f";
    const string Rtp = "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573";
    const string Srtp = "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce";

    // RFC 7714 §17.1: an SR from SSRC "Mars" with SRTCP index 0x5d4.
    const string Rtcp = "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef";
    const string Srtcp = "81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade800005d4";

    static SrtpContext Gcm() => SrtpContext.FromSessionKeys(SrtpProfile.AeadAes128Gcm, Hex(GcmKey), Hex(GcmSalt));

    [Fact]
    public void Rfc7714_16_1_1_srtp_encryption()
    {
        using var context = Gcm();
        var buffer = new byte[256];
        Hex(Rtp).CopyTo(buffer, 0);
        Assert.Equal(SrtpResult.Ok, context.ProtectRtp(buffer, Rtp.Length / 2, out int length));
        Assert.Equal(Srtp, Convert.ToHexString(buffer, 0, length), ignoreCase: true);
    }

    [Fact]
    public void Rfc7714_16_1_2_srtp_decryption()
    {
        using var context = Gcm();
        var packet = Hex(Srtp);
        Assert.Equal(SrtpResult.Ok, context.UnprotectRtp(packet, out int length));
        Assert.Equal(Rtp, Convert.ToHexString(packet, 0, length), ignoreCase: true);
    }

    [Fact]
    public void Rfc7714_17_1_srtcp_decryption()
    {
        using var context = Gcm();
        var packet = Hex(Srtcp);
        Assert.Equal(SrtpResult.Ok, context.UnprotectRtcp(packet, out int length));
        Assert.Equal(Rtcp, Convert.ToHexString(packet, 0, length), ignoreCase: true);
    }

    [Fact]
    public void Rfc7714_srtp_with_one_flipped_bit_fails_authentication()
    {
        using var context = Gcm();
        var packet = Hex(Srtp);
        packet[20] ^= 0x01;
        Assert.Equal(SrtpResult.AuthenticationFailed, context.UnprotectRtp(packet, out _));
        Assert.Equal(0, context.StreamCount);
    }
}
