using System.Security.Cryptography;
using System.Text;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;

namespace Switchboard.Turn.Tests.Server.Support;

/// <summary>
/// The client side of the long-term credential mechanism (RFC 8489 §9.2.3): learns REALM and NONCE from
/// a 401, then sends requests with USERNAME (or USERHASH), REALM, NONCE and MESSAGE-INTEGRITY, or with
/// PASSWORD-ALGORITHM SHA-256 and MESSAGE-INTEGRITY-SHA256.
/// </summary>
internal sealed class TestClient(TurnHarness harness, TestConnection connection, string username, string password)
{
    public TestConnection Connection { get; } = connection;
    public string Username { get; set; } = username;
    public string Password { get; set; } = password;

    /// <summary>Use the SHA-256 password algorithm and MESSAGE-INTEGRITY-SHA256.</summary>
    public bool Sha256 { get; set; }

    /// <summary>Send USERHASH instead of USERNAME.</summary>
    public bool UseUserHash { get; set; }

    public string? Realm { get; set; }
    public string? Nonce { get; set; }
    public byte[]? PasswordAlgorithms { get; private set; }

    public byte[] Key => StunCredentials.LongTermKey(Username, Realm ?? TurnHarness.Realm, Password,
        Sha256 ? StunPasswordAlgorithm.Sha256 : StunPasswordAlgorithm.Md5);

    /// <summary>Hands the bytes to the server and returns what it answered at once, or null.</summary>
    public StunResponse? SendRaw(byte[] message, byte[]? transactionId = null)
    {
        harness.Server.HandleMessage(Connection, message);
        var answer = Connection.TryTake(m => transactionId is null || IsResponseTo(m, transactionId), TimeSpan.Zero);
        return answer is null ? null : StunResponse.Parse(answer);
    }

    public StunResponse? Send(StunRequest request) => SendRaw(request.Build(), request.TransactionId);

    /// <summary>Sends and asserts that a response came.</summary>
    public StunResponse Exchange(StunRequest request)
    {
        var response = Send(request);
        Assert.True(response is not null, $"no response to {request.Type}");
        Assert.Equal(request.TransactionId, response.TransactionId);
        return response;
    }

    /// <summary>An unauthenticated request: expects 401 and keeps REALM, NONCE and PASSWORD-ALGORITHMS.</summary>
    public StunResponse Challenge(StunMethod method = StunMethod.Allocate)
    {
        var request = new StunRequest(method);
        if (method == StunMethod.Allocate) request.RequestedTransport(TurnAttributes.TransportUdp);
        var response = Exchange(request).AssertError(method, StunErrorCode.Unauthenticated);
        Learn(response);
        return response;
    }

    /// <summary>Takes REALM, NONCE and PASSWORD-ALGORITHMS from a 401 or 438.</summary>
    public void Learn(StunResponse response)
    {
        Realm = response.GetString(StunAttributeType.Realm);
        Nonce = response.GetString(StunAttributeType.Nonce);
        if (response.Has(StunAttributeType.PasswordAlgorithms)) PasswordAlgorithms = response.Get(StunAttributeType.PasswordAlgorithms);
    }

    /// <summary>Adds the credential attributes in front of the request's own and sets the integrity key.</summary>
    public StunRequest Sign(StunRequest request)
    {
        if (Nonce is null) Challenge();
        int at = 0;
        if (UseUserHash) request.Insert(at++, StunAttributeType.UserHash, StunCredentials.UserHash(Username, Realm!));
        else request.Insert(at++, StunAttributeType.Username, Encoding.UTF8.GetBytes(Username));
        request.Insert(at++, StunAttributeType.Realm, Encoding.UTF8.GetBytes(Realm!));
        request.Insert(at++, StunAttributeType.Nonce, Encoding.UTF8.GetBytes(Nonce!));
        if (Sha256)
        {
            // §9.2.4: PASSWORD-ALGORITHMS echoed from the challenge and the one chosen.
            request.Insert(at++, StunAttributeType.PasswordAlgorithms, PasswordAlgorithms!);
            request.Insert(at++, StunAttributeType.PasswordAlgorithm, [0x00, 0x02, 0x00, 0x00]);
            request.IntegritySha256 = true;
        }
        request.IntegrityKey = Key;
        return request;
    }

    /// <summary>An authenticated request (challenged first when no nonce is known yet); returns the response.</summary>
    public StunResponse Request(StunMethod method, Action<StunRequest>? attributes = null, byte[]? transactionId = null)
    {
        var request = new StunRequest(method, transactionId: transactionId);
        attributes?.Invoke(request);
        return Exchange(Sign(request));
    }

    /// <summary>Allocate over UDP (REQUESTED-TRANSPORT 17 unless the attributes set one).</summary>
    public StunResponse Allocate(Action<StunRequest>? attributes = null, byte[]? transactionId = null) =>
        Request(StunMethod.Allocate, r =>
        {
            attributes?.Invoke(r);
            if (!r.Has(StunAttributeType.RequestedTransport)) r.RequestedTransport(TurnAttributes.TransportUdp);
        }, transactionId);

    /// <summary>An Allocate that must succeed.</summary>
    public StunResponse Allocated(Action<StunRequest>? attributes = null) => Allocate(attributes).AssertSuccess(StunMethod.Allocate);

    public StunResponse Refresh(uint? lifetime = null, Action<StunRequest>? attributes = null) =>
        Request(StunMethod.Refresh, r =>
        {
            if (lifetime is { } l) r.Lifetime(l);
            attributes?.Invoke(r);
        });

    public StunResponse CreatePermission(params System.Net.IPEndPoint[] peers) =>
        Request(StunMethod.CreatePermission, r => { foreach (var peer in peers) r.XorPeerAddress(peer); });

    public StunResponse ChannelBind(ushort channel, System.Net.IPEndPoint peer) =>
        Request(StunMethod.ChannelBind, r => r.ChannelNumber(channel).XorPeerAddress(peer));

    /// <summary>A Send indication (§11.1): XOR-PEER-ADDRESS and DATA, no credentials, no response.</summary>
    public void SendIndication(System.Net.IPEndPoint peer, byte[] data, bool fingerprint = false)
    {
        var indication = new StunRequest(StunMethod.Send, StunClass.Indication).XorPeerAddress(peer).Add(StunAttributeType.Data, data);
        indication.Fingerprint = fingerprint;
        harness.Server.HandleMessage(Connection, indication.Build());
    }

    /// <summary>ChannelData from the client (§12.4).</summary>
    public void SendChannelData(ushort channel, byte[] data)
    {
        var message = new byte[ChannelData.WireLength(data.Length, Connection.IsStream)];
        ChannelData.Write(message, channel, data, Connection.IsStream);
        harness.Server.HandleMessage(Connection, message);
    }

    public static bool IsResponseTo(byte[] message, byte[] transactionId) =>
        message.Length >= StunConstants.HeaderLength && (message[0] & 0xC0) == 0 &&
        message.AsSpan(8, StunConstants.TransactionIdLength).SequenceEqual(transactionId);

    /// <summary>The TURN REST API credentials (username "expiry:name", password base64(HMAC-SHA1(secret, username))).</summary>
    public static (string Username, string Password) RestCredentials(string secret, string name, long expiry)
    {
        var username = $"{expiry}:{name}";
        var password = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));
        return (username, password);
    }
}
