using System.Buffers.Binary;
using System.Net;
using System.Text;
using Switchboard.Protocols.Stun;

namespace Switchboard.Protocols.Tests.Stun;

public class StunCodecTests
{
    private static readonly byte[] TransactionId = Convert.FromHexString("0102030405060708090a0b0c");

    [Theory]
    [InlineData(StunMethod.Binding, StunClass.Request, 0x0001)]
    [InlineData(StunMethod.Binding, StunClass.SuccessResponse, 0x0101)]
    [InlineData(StunMethod.Binding, StunClass.ErrorResponse, 0x0111)]
    [InlineData(StunMethod.Allocate, StunClass.Request, 0x0003)]
    [InlineData(StunMethod.Allocate, StunClass.ErrorResponse, 0x0113)]
    [InlineData(StunMethod.Send, StunClass.Indication, 0x0016)]
    [InlineData(StunMethod.Data, StunClass.Indication, 0x0017)]
    [InlineData(StunMethod.ConnectionAttempt, StunClass.Indication, 0x001C)]
    public void MessageType_MatchesWireValues(StunMethod method, StunClass @class, ushort wire)
    {
        Assert.Equal(wire, new StunMessageType(method, @class).ToWire());
        Assert.Equal(new StunMessageType(method, @class), StunMessageType.FromWire(wire));
    }

    [Fact]
    public void EveryMethodAndClass_RoundTrips()
    {
        for (int method = 0; method < 0x1000; method += 7)
        {
            foreach (var @class in Enum.GetValues<StunClass>())
            {
                var type = new StunMessageType((StunMethod)method, @class);
                Assert.Equal(type, StunMessageType.FromWire(type.ToWire()));
            }
        }
    }

    [Fact]
    public void AllAttributeKinds_RoundTrip()
    {
        var buffer = new byte[1024];
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Allocate, StunClass.ErrorResponse), TransactionId);
        writer.AddXorAddress(StunAttributeType.XorMappedAddress, new IPEndPoint(IPAddress.Parse("203.0.113.7"), 5000));
        writer.AddXorAddress(StunAttributeType.XorRelayedAddress, new IPEndPoint(IPAddress.Parse("2001:db8::42"), 49152));
        writer.AddAddress(StunAttributeType.ResponseOrigin, new IPEndPoint(IPAddress.Parse("192.0.2.10"), 3478));
        writer.AddAddress(StunAttributeType.OtherAddress, new IPEndPoint(IPAddress.Parse("::1"), 3479));
        writer.AddErrorCode(StunErrorCode.AllocationQuotaReached);
        writer.AddAddressErrorCode(StunAddress.FamilyIPv6, StunErrorCode.InsufficientCapacity);
        writer.AddUnknownAttributes([0x0031, 0x0042, 0x0053]);
        writer.AddUInt32(StunAttributeType.Lifetime, 600);
        writer.AddUInt64(StunAttributeType.IceControlling, 0x0102030405060708);
        writer.AddEmpty(StunAttributeType.UseCandidate);
        writer.AddString(StunAttributeType.Realm, "example.org");
        writer.Add(StunAttributeType.PasswordAlgorithms,
            StunCredentials.EncodePasswordAlgorithms([StunPasswordAlgorithm.Md5, StunPasswordAlgorithm.Sha256]));
        writer.AddString(StunAttributeType.Software, "Switchboard test");
        var key = StunCredentials.LongTermKey("alice", "example.org", "secret");
        writer.AddMessageIntegrity(key);
        writer.AddMessageIntegritySha256(key);
        writer.AddFingerprint();

        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(writer.Written, out var message));
        Assert.Equal(StunMethod.Allocate, message.Method);
        Assert.Equal(StunClass.ErrorResponse, message.Class);
        Assert.True(message.VerifyMessageIntegrity(key));
        Assert.True(message.VerifyMessageIntegritySha256(key));
        Assert.True(message.VerifyFingerprint());

        Assert.True(message.TryGetAttribute(StunAttributeType.XorMappedAddress, out var v));
        Assert.True(StunAddress.TryDecode(v, message.TransactionId, out var ep));
        Assert.Equal("203.0.113.7:5000", ep.ToString());
        Assert.True(message.TryGetAttribute(StunAttributeType.XorRelayedAddress, out v));
        Assert.True(StunAddress.TryDecode(v, message.TransactionId, out ep));
        Assert.Equal("[2001:db8::42]:49152", ep.ToString());
        Assert.True(message.TryGetAttribute(StunAttributeType.ResponseOrigin, out v));
        Assert.True(StunAddress.TryDecode(v, default, out ep));
        Assert.Equal("192.0.2.10:3478", ep.ToString());
        Assert.True(message.TryGetAttribute(StunAttributeType.OtherAddress, out v));
        Assert.True(StunAddress.TryDecode(v, default, out ep));
        Assert.Equal("[::1]:3479", ep.ToString());
        Assert.True(message.TryGetAttribute(StunAttributeType.ErrorCode, out v));
        Assert.True(StunErrorCode.TryDecode(v, out int code, out string reason));
        Assert.Equal((486, "Allocation Quota Reached"), (code, reason));
        Assert.True(message.TryGetAttribute(StunAttributeType.AddressErrorCode, out v));
        Assert.Equal(StunAddress.FamilyIPv6, v[0]);
        Assert.Equal(5, v[2]);
        Assert.Equal(8, v[3]);
        Assert.True(message.TryGetAttribute(StunAttributeType.UnknownAttributes, out v));
        Assert.Equal(new ushort[] { 0x31, 0x42, 0x53 }, StunErrorCode.DecodeUnknownAttributes(v));
        Assert.True(message.TryGetAttribute(StunAttributeType.Lifetime, out v));
        Assert.Equal(600u, BinaryPrimitives.ReadUInt32BigEndian(v));
        Assert.True(message.TryGetAttribute(StunAttributeType.IceControlling, out v));
        Assert.Equal(0x0102030405060708ul, BinaryPrimitives.ReadUInt64BigEndian(v));
        Assert.True(message.TryGetAttribute(StunAttributeType.UseCandidate, out v));
        Assert.Equal(0, v.Length);
        Assert.True(message.TryGetAttribute(StunAttributeType.PasswordAlgorithms, out v));
        Assert.True(StunCredentials.TryDecodePasswordAlgorithms(v, out var algorithms));
        Assert.Equal([StunPasswordAlgorithm.Md5, StunPasswordAlgorithm.Sha256], algorithms);
        Assert.True(message.TryGetAttribute(StunAttributeType.Software, out v));
        Assert.Equal("Switchboard test", Encoding.UTF8.GetString(v));
    }

    [Fact]
    public void AttributesAfterMessageIntegrity_AreIgnoredExceptFingerprint()
    {
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Binding, StunClass.Request), TransactionId);
        writer.AddString(StunAttributeType.Username, "a");
        writer.AddMessageIntegrity("k"u8);
        writer.AddString(StunAttributeType.Software, "after integrity");
        writer.AddFingerprint();

        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(writer.Written, out var message));
        Assert.False(message.HasAttribute(StunAttributeType.Software));
        Assert.True(message.HasAttribute(StunAttributeType.Username));
        Assert.True(message.VerifyFingerprint());
        Assert.True(message.VerifyMessageIntegrity("k"u8)); // §14.5: the MAC covers the message as if it ended there
    }

    [Fact]
    public void Sha256IntegrityTruncatedTo16Bytes_Verifies()
    {
        var key = StunCredentials.LongTermKey("bob", "realm", "pw", StunPasswordAlgorithm.Sha256);
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Refresh, StunClass.Request), TransactionId);
        writer.Add(StunAttributeType.UserHash, StunCredentials.UserHash("bob", "realm"));
        writer.AddMessageIntegritySha256(key);
        var bytes = writer.Written.ToArray();
        // Truncate the 32-byte MAC to 16 bytes, recomputing the header length; the MAC over the prefix is unchanged.
        var truncated = bytes.AsSpan(0, bytes.Length - 16).ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(truncated.AsSpan(2), (ushort)(truncated.Length - 20));
        BinaryPrimitives.WriteUInt16BigEndian(truncated.AsSpan(truncated.Length - 18), 16);
        var full = new byte[32];
        StunMessageReaderTestAccess.ComputeSha256(truncated, truncated.Length - 20, 16, key, full);
        full.AsSpan(0, 16).CopyTo(truncated.AsSpan(truncated.Length - 16));

        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(truncated, out var message));
        Assert.True(message.VerifyMessageIntegritySha256(key));
        Assert.True(message.TryGetAttribute(StunAttributeType.UserHash, out var userHash));
        Assert.Equal(StunCredentials.UserHash("bob", "realm"), userHash.ToArray());
    }

    [Fact]
    public void UserHash_IsSha256OfUsernameAndRealm()
    {
        // RFC 8489 §14.4 by its own rule: SHA-256("<U+30DE><U+30C8><U+30EA><U+30C3><U+30AF><U+30B9>:example.org").
        var hash = StunCredentials.UserHash("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9", "example.org");
        Assert.Equal("4a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704", Convert.ToHexStringLower(hash));
    }

    [Fact]
    public void WriterWithTooSmallBuffer_Throws()
    {
        var buffer = new byte[24];
        Assert.Throws<InvalidOperationException>(() =>
        {
            var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Binding, StunClass.Request), TransactionId);
            writer.AddString(StunAttributeType.Software, "too long for this buffer");
        });
    }
}
