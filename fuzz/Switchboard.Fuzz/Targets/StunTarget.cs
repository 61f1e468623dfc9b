using System.Net;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;

namespace Switchboard.Fuzz;

/// <summary>
/// A STUN or TURN message as the TURN server and the media server receive it. <see cref="StunMessageReader.TryParse"/>
/// returns a <see cref="StunParseError"/> for bad input and never throws; on an accepted message every attribute is run
/// through every attribute decoder (they return false for values of the wrong shape), integrity and fingerprint are
/// checked, and an ICE-lite agent answers it as a connectivity check.
/// </summary>
public static class StunTarget
{
    static readonly byte[] ShortTermKey = "VOkJxbRl1RmTxUk/WvJxBt"u8.ToArray();
    static readonly byte[] LongTermKey = StunCredentials.LongTermKey("alice", "example.org", "secret");
    static readonly IceLiteAgent<int> Agent = new(new IceCredentials("evtj", "VOkJxbRl1RmTxUk/WvJxBt"),
        new IceCredentials("h6vY", "remote-password-0123456789"), TimeSpan.FromSeconds(30), 0);
    static readonly IPEndPoint Source = new(IPAddress.Parse("192.0.2.1"), 32853);

    public static void Run(ReadOnlySpan<byte> data)
    {
        StunMessageReader.LooksLikeStun(data);
        if (data.Length >= 4) FuzzInvariantException.Check(StunMessageReader.AnnouncedLength(data) >= StunConstants.HeaderLength, "announced length");
        if (StunMessageReader.TryParse(data, out var message) != StunParseError.None) return;

        _ = message.Type.ToWire();
        _ = message.Method;
        _ = message.Class;
        FuzzInvariantException.Check(message.TransactionId.Length == StunConstants.TransactionIdLength, "transaction id length");
        int count = 0;
        foreach (var attribute in message.Attributes)
        {
            FuzzInvariantException.Check(++count <= data.Length / 4, "more attributes than the message holds");
            Decode(attribute.Type, attribute.Value, message.TransactionId);
        }
        foreach (var type in Enum.GetValues<StunAttributeType>())
        {
            if (message.TryGetAttribute(type, out var value)) Decode(type, value, message.TransactionId);
            message.HasAttribute(type);
        }
        message.VerifyMessageIntegrity(ShortTermKey);
        message.VerifyMessageIntegrity(LongTermKey);
        message.VerifyMessageIntegritySha256(LongTermKey);
        message.VerifyFingerprint();
        IceUsername.TryGetLocalUfrag(message, out _);

        Span<byte> response = stackalloc byte[512];
        Agent.HandleBindingRequest(message, 1, Source, 1, response, out int length);
        if (length > 0) FuzzInvariantException.Check(StunMessageReader.TryParse(response[..length], out _) == StunParseError.None, "the agent's response does not parse");
    }

    /// <summary>Every decoder on the value, whatever its type: each must refuse what is not its shape.</summary>
    static void Decode(StunAttributeType type, ReadOnlySpan<byte> value, ReadOnlySpan<byte> transactionId)
    {
        _ = type.IsComprehensionRequired();
        Span<byte> address = stackalloc byte[16];
        if (StunAddress.TryDecode(value, transactionId, out IPEndPoint endPoint)) _ = endPoint.ToString();
        StunAddress.TryDecode(value, default, out IPEndPoint _);
        StunAddress.TryDecode(value, transactionId, address, out _, out _);
        StunErrorCode.TryDecode(value, out _, out _);
        StunErrorCode.DecodeUnknownAttributes(value);
        StunCredentials.TryDecodePasswordAlgorithms(value, out _);
        StunCredentials.TryDecodePasswordAlgorithm(value, out _);
        TurnAttributes.TryReadUInt32(value, out _);
        TurnAttributes.TryReadRequestedTransport(value, out _);
        TurnAttributes.TryReadAddressFamily(value, out _);
        TurnAttributes.TryReadEvenPort(value, out _);
        TurnAttributes.TryReadChannelNumber(value, out _);
        TurnAttributes.TryReadReservationToken(value, out _);
        IceUsername.Matches(value, new IceCredentials("evtj", "x"), new IceCredentials("h6vY", "y"));
    }
}
