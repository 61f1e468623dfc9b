using System.Net;
using System.Text;
using Switchboard.Protocols.Stun;

namespace Switchboard.Protocols.Tests.Stun;

/// <summary>The four test vectors of RFC 5769 §2, byte for byte (the padding there is 0x20, not zero).</summary>
public class Rfc5769VectorTests
{
    private const string ShortTermPassword = "VOkJxbRl1RmTxUk/WvJxBt";

    // §2.1 Sample Request
    internal static readonly byte[] SampleRequest = Convert.FromHexString(
        "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e20746573742063" +
        "6c69656e74002400046e0001ff80290008932ff9b151263b36000600096576746a3a68" +
        "367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf");

    // §2.2 Sample IPv4 Response
    internal static readonly byte[] SampleIPv4Response = Convert.FromHexString(
        "0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220" +
        "00200008" + "0001a147e112a643" + "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7" + "80280004c07d4c96");

    // §2.3 Sample IPv6 Response
    internal static readonly byte[] SampleIPv6Response = Convert.FromHexString(
        "010100482112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220" +
        "00200014" + "0002a1470113a9faa5d3f179bc25f4b5bed2b9d9" +
        "00080014a382954e4be67bf11784c97c8292c275bfe3ed41" + "80280004c8fb0b4c");

    // §2.4 Sample Request with Long-Term Authentication
    internal static readonly byte[] SampleLongTermRequest = Convert.FromHexString(
        "000100602112a44278ad3433c6ad72c029da412e" +
        "00060012e3839ee38388e383aae38383e382afe382b90000" +
        "0015001c662f2f3439396b393534643" + "64f4c33346f4c39465354767936347341" +
        "0014000b6578616d706c652e6f726700" +
        "00080014f67024656dd64a3e02b8e0712e85c9a28ca89666");

    [Fact]
    public void SampleRequest_ParsesWithIntegrityAndFingerprint()
    {
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(SampleRequest, out var message));
        Assert.Equal(new StunMessageType(StunMethod.Binding, StunClass.Request), message.Type);
        Assert.Equal("b7e7a701bc34d686fa87dfae", Convert.ToHexStringLower(message.TransactionId));

        Assert.True(message.TryGetAttribute(StunAttributeType.Software, out var software));
        Assert.Equal("STUN test client", Encoding.UTF8.GetString(software));
        Assert.True(message.TryGetAttribute(StunAttributeType.Priority, out var priority));
        Assert.Equal("6e0001ff", Convert.ToHexStringLower(priority));
        Assert.True(message.TryGetAttribute(StunAttributeType.IceControlled, out var tieBreaker));
        Assert.Equal("932ff9b151263b36", Convert.ToHexStringLower(tieBreaker));
        Assert.True(message.TryGetAttribute(StunAttributeType.Username, out var username));
        Assert.Equal("evtj:h6vY", Encoding.UTF8.GetString(username));

        Assert.True(message.VerifyMessageIntegrity(Encoding.UTF8.GetBytes(ShortTermPassword)));
        Assert.False(message.VerifyMessageIntegrity("wrong"u8));
        Assert.True(message.VerifyFingerprint());
    }

    [Theory]
    [InlineData(false, "192.0.2.1", 32853)]
    [InlineData(true, "2001:db8:1234:5678:11:2233:4455:6677", 32853)]
    public void SampleResponses_DecodeXorMappedAddress(bool ipv6, string address, int port)
    {
        var bytes = ipv6 ? SampleIPv6Response : SampleIPv4Response;
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(bytes, out var message));
        Assert.Equal(StunClass.SuccessResponse, message.Class);
        Assert.True(message.TryGetAttribute(StunAttributeType.Software, out var software));
        Assert.Equal("test vector", Encoding.UTF8.GetString(software));
        Assert.True(message.TryGetAttribute(StunAttributeType.XorMappedAddress, out var value));
        Assert.True(StunAddress.TryDecode(value, message.TransactionId, out var endPoint));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), endPoint);
        Assert.True(message.VerifyMessageIntegrity(Encoding.UTF8.GetBytes(ShortTermPassword)));
        Assert.True(message.VerifyFingerprint());
    }

    [Fact]
    public void LongTermRequest_VerifiesWithMd5Key()
    {
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(SampleLongTermRequest, out var message));
        Assert.True(message.TryGetAttribute(StunAttributeType.Username, out var username));
        Assert.Equal("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9", Encoding.UTF8.GetString(username));
        Assert.True(message.TryGetAttribute(StunAttributeType.Nonce, out var nonce));
        Assert.Equal("f//499k954d6OL34oL9FSTvy64sA", Encoding.UTF8.GetString(nonce));
        Assert.True(message.TryGetAttribute(StunAttributeType.Realm, out var realm));
        Assert.Equal("example.org", Encoding.UTF8.GetString(realm));

        // The RFC's password "The<U+00AD>M<U+00AA>tr<U+2168>" is "TheMatrIX" after SASLprep.
        var key = StunCredentials.LongTermKey(Encoding.UTF8.GetString(username), "example.org", "TheMatrIX");
        Assert.True(message.VerifyMessageIntegrity(key));
        Assert.False(message.HasFingerprint);
    }

    [Fact]
    public void Writer_ReproducesSampleIPv4Response_ExceptPadding()
    {
        // The vectors pad SOFTWARE with 0x20; the writer pads with zeros, so rebuild and compare
        // everything but those padding bytes, then check integrity and fingerprint of our own bytes.
        Span<byte> buffer = stackalloc byte[128];
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Binding, StunClass.SuccessResponse),
            SampleIPv4Response.AsSpan(8, 12));
        writer.AddString(StunAttributeType.Software, "test vector");
        writer.AddXorAddress(StunAttributeType.XorMappedAddress, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853));
        writer.AddMessageIntegrity(Encoding.UTF8.GetBytes(ShortTermPassword));
        writer.AddFingerprint();
        var ours = writer.Written.ToArray();

        Assert.Equal(SampleIPv4Response.Length, ours.Length);
        Assert.Equal(SampleIPv4Response.AsSpan(0, 35).ToArray(), ours.AsSpan(0, 35).ToArray());
        Assert.Equal(0, ours[35]);
        Assert.Equal(SampleIPv4Response.AsSpan(36, 12).ToArray(), ours.AsSpan(36, 12).ToArray());
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(ours, out var reread));
        Assert.True(reread.VerifyMessageIntegrity(Encoding.UTF8.GetBytes(ShortTermPassword)));
        Assert.True(reread.VerifyFingerprint());
    }
}
