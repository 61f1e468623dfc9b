using System.Buffers.Binary;
using Switchboard.Protocols.Stun;

namespace Switchboard.Protocols.Tests.Stun;

/// <summary>Bad bytes get a precise parse error, never an exception.</summary>
public class StunMalformedInputTests
{
    private static byte[] Valid() => (byte[])Rfc5769VectorTests.SampleRequest.Clone();

    [Fact]
    public void EveryTruncation_IsRejected()
    {
        var bytes = Valid();
        for (int length = 0; length < bytes.Length; length++)
            Assert.NotEqual(StunParseError.None, StunMessageReader.TryParse(bytes.AsSpan(0, length), out _));
    }

    [Fact]
    public void WrongMagicCookie_IsRejected()
    {
        var bytes = Valid();
        bytes[4] ^= 0xFF;
        Assert.Equal(StunParseError.BadMagicCookie, StunMessageReader.TryParse(bytes, out _));
    }

    [Fact]
    public void TopBitsSet_IsNotStun()
    {
        var bytes = Valid();
        bytes[0] |= 0x80;
        Assert.Equal(StunParseError.NotStun, StunMessageReader.TryParse(bytes, out _));
    }

    [Theory]
    [InlineData(0x0057, StunParseError.LengthNotMultipleOf4)]
    [InlineData(0x005C, StunParseError.LengthMismatch)]
    [InlineData(0x0054, StunParseError.LengthMismatch)]
    public void WrongHeaderLength_IsRejected(int length, StunParseError expected)
    {
        var bytes = Valid();
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)length);
        Assert.Equal(expected, StunMessageReader.TryParse(bytes, out _));
    }

    [Fact]
    public void ExtraBytesAfterMessage_AreRejected()
    {
        var bytes = Valid().Concat(new byte[4]).ToArray();
        Assert.Equal(StunParseError.LengthMismatch, StunMessageReader.TryParse(bytes, out _));
    }

    [Fact]
    public void AttributeLengthPastEnd_IsRejected()
    {
        var bytes = Valid();
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(22), 0x0100); // SOFTWARE claims 256 bytes
        Assert.Equal(StunParseError.TruncatedAttribute, StunMessageReader.TryParse(bytes, out _));
    }

    [Fact]
    public void MissingPaddingOfLastAttribute_IsRejected()
    {
        // A Binding request whose only attribute is 5 bytes long without its 3 padding bytes: header length 9 is not a multiple of 4.
        var bytes = Convert.FromHexString("000100092112a442000102030405060708090a0b" + "8022000561626364" + "65");
        Assert.Equal(StunParseError.LengthNotMultipleOf4, StunMessageReader.TryParse(bytes, out _));
    }

    [Fact]
    public void WrongIntegrityAndFingerprintLengths_AreRejected()
    {
        var bytes = Valid();
        int mi = 20 + 20 + 8 + 12 + 16;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(mi + 2), 16); // MESSAGE-INTEGRITY of 16 bytes
        Assert.NotEqual(StunParseError.None, StunMessageReader.TryParse(bytes, out _));

        bytes = Valid();
        var fp = bytes.Length - 8;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(fp + 2), 0);
        Assert.NotEqual(StunParseError.None, StunMessageReader.TryParse(bytes, out _));
    }

    [Fact]
    public void AttributeAfterFingerprint_IsRejected()
    {
        var bytes = Valid().Concat(Convert.FromHexString("80220000")).ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)(bytes.Length - 20));
        Assert.Equal(StunParseError.AttributeAfterFingerprint, StunMessageReader.TryParse(bytes, out _));
    }

    [Fact]
    public void TamperedMessage_FailsIntegrityAndFingerprint()
    {
        var bytes = Valid();
        bytes[30] ^= 1; // inside SOFTWARE
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(bytes, out var message));
        Assert.False(message.VerifyMessageIntegrity("VOkJxbRl1RmTxUk/WvJxBt"u8));
        Assert.False(message.VerifyFingerprint());
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        var random = new Random(5769);
        var buffer = new byte[600];
        for (int i = 0; i < 20000; i++)
        {
            int length = random.Next(buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            if (length >= 8 && i % 2 == 0)
            {
                buffer[0] &= 0x3F;
                BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), StunConstants.MagicCookie);
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)Math.Max(0, (length - 20) & ~3));
            }
            if (StunMessageReader.TryParse(buffer.AsSpan(0, length), out var message) == StunParseError.None)
            {
                foreach (var attribute in message.Attributes)
                {
                    StunAddress.TryDecode(attribute.Value, message.TransactionId, out _);
                    StunErrorCode.TryDecode(attribute.Value, out _, out _);
                    StunCredentials.TryDecodePasswordAlgorithms(attribute.Value, out _);
                }
                message.VerifyMessageIntegrity("k"u8);
                message.VerifyMessageIntegritySha256("k"u8);
                message.VerifyFingerprint();
            }
        }
    }

    [Theory]
    [InlineData("0001")]                     // too short
    [InlineData("0003a147")]                 // bad family
    [InlineData("0001a147e112a64300")]       // IPv4 with 5 address bytes
    [InlineData("0002a1470113a9faa5d3f179")] // IPv6 cut short
    public void BadAddressValues_AreRejected(string hex)
    {
        Assert.False(StunAddress.TryDecode(Convert.FromHexString(hex), new byte[12], out _));
    }
}
