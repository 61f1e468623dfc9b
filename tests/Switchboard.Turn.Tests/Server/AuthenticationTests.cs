using System.Text;
using Switchboard.Protocols.Stun;
using Switchboard.Turn.Auth;
using Switchboard.Turn.Tests.Server.Support;

namespace Switchboard.Turn.Tests.Server;

/// <summary>The long-term credential mechanism (RFC 8489 §9.2.4) and TURN REST credentials.</summary>
public sealed class AuthenticationTests : IDisposable
{
    private readonly TurnHarness _turn = new(o => o.NonceLifetimeSeconds = 600);

    public void Dispose() => _turn.Dispose();

    [Fact]
    public void FirstRequest_Gets401WithRealmNonceAndPasswordAlgorithms()
    {
        var client = _turn.Client();

        var response = client.Challenge();

        Assert.Equal("Unauthenticated", response.Reason);
        Assert.Equal(TurnHarness.Realm, response.GetString(StunAttributeType.Realm));
        Assert.StartsWith("obMatJos2", response.GetString(StunAttributeType.Nonce));
        Assert.True(StunCredentials.TryDecodePasswordAlgorithms(response.Get(StunAttributeType.PasswordAlgorithms), out var algorithms));
        Assert.Equal([StunPasswordAlgorithm.Md5, StunPasswordAlgorithm.Sha256], algorithms);
        Assert.False(response.Has(StunAttributeType.MessageIntegrity));
        Assert.Equal(0, _turn.Server.AllocationCount);
    }

    [Fact]
    public void CorrectCredentials_Allocate_ResponseIntegrityVerifiesWithUsersKey()
    {
        var client = _turn.Client();

        var response = client.Allocated();

        Assert.True(response.VerifyIntegrity(client.Key));
        Assert.False(response.VerifyIntegrity(StunCredentials.LongTermKey("alice", TurnHarness.Realm, "other")));
        Assert.Equal(1, _turn.Server.AllocationCount);
    }

    [Fact]
    public void ErrorResponsesToAuthenticatedRequests_CarryIntegrity()
    {
        var client = _turn.Client();

        var response = client.Refresh().AssertError(StunMethod.Refresh, StunErrorCode.AllocationMismatch);

        Assert.True(response.VerifyIntegrity(client.Key));
    }

    [Fact]
    public void IntegrityIsFollowedByFingerprint_WhenTheRequestHadOne()
    {
        var client = _turn.Client();
        var request = client.Sign(new StunRequest(StunMethod.Allocate).RequestedTransport(17));
        request.Fingerprint = true;

        var response = client.Exchange(request).AssertSuccess(StunMethod.Allocate);

        Assert.Equal(StunAttributeType.MessageIntegrity, response.Attributes[^2].Type);
        Assert.Equal(StunAttributeType.Fingerprint, response.Attributes[^1].Type);
        Assert.True(response.VerifyFingerprint());
        Assert.True(response.VerifyIntegrity(client.Key));
    }

    [Fact]
    public void WrongPassword_Gets401WithFreshChallenge()
    {
        var client = _turn.Client(password: "wrong");

        var response = client.Allocate().AssertError(StunMethod.Allocate, StunErrorCode.Unauthenticated);

        Assert.True(response.Has(StunAttributeType.Nonce));
        Assert.True(response.Has(StunAttributeType.Realm));
        Assert.False(response.Has(StunAttributeType.MessageIntegrity));
        Assert.Equal(0, _turn.Server.AllocationCount);
    }

    [Fact]
    public void UnknownUser_Gets401()
    {
        var client = _turn.Client(username: "mallory", password: "secret");

        client.Allocate().AssertError(StunMethod.Allocate, StunErrorCode.Unauthenticated);
        Assert.Equal(0, _turn.Server.AllocationCount);
    }

    [Fact]
    public void OtherUsersPassword_Gets401()
    {
        var client = _turn.Client(username: "bob", password: "secret");

        client.Allocate().AssertError(StunMethod.Allocate, StunErrorCode.Unauthenticated);
    }

    [Theory]
    [InlineData(StunAttributeType.Nonce)]
    [InlineData(StunAttributeType.Realm)]
    [InlineData(StunAttributeType.Username)]
    public void IntegrityWithoutNonceRealmOrUsername_Gets400WithoutChallengeOrIntegrity(StunAttributeType missing)
    {
        var client = _turn.Client();
        client.Challenge();
        var request = new StunRequest(StunMethod.Allocate);
        if (missing != StunAttributeType.Username) request.AddString(StunAttributeType.Username, "alice");
        if (missing != StunAttributeType.Realm) request.AddString(StunAttributeType.Realm, client.Realm!);
        if (missing != StunAttributeType.Nonce) request.AddString(StunAttributeType.Nonce, client.Nonce!);
        request.RequestedTransport(17);
        request.IntegrityKey = client.Key;

        var response = client.Exchange(request).AssertError(StunMethod.Allocate, StunErrorCode.BadRequest);

        // §9.2.4: this response has no NONCE, REALM or MESSAGE-INTEGRITY.
        Assert.False(response.Has(StunAttributeType.Nonce));
        Assert.False(response.Has(StunAttributeType.Realm));
        Assert.False(response.Has(StunAttributeType.MessageIntegrity));
        Assert.Equal(0, _turn.Server.AllocationCount);
    }

    [Fact]
    public void NonceIssuedToAnotherAddress_Gets438WithNewNonceThatWorks()
    {
        var elsewhere = _turn.Client(address: "127.0.0.2");
        elsewhere.Challenge();
        var client = _turn.Client();
        client.Realm = elsewhere.Realm;
        client.Nonce = elsewhere.Nonce;

        var stale = client.Allocate().AssertError(StunMethod.Allocate, StunErrorCode.StaleNonce, "Stale Nonce");

        Assert.Equal(TurnHarness.Realm, stale.GetString(StunAttributeType.Realm));
        Assert.NotEqual(elsewhere.Nonce, stale.GetString(StunAttributeType.Nonce));
        client.Learn(stale);
        client.Allocated();
    }

    [Fact]
    public void NonceFromAnotherPortOfTheSameAddress_IsAccepted()
    {
        var first = _turn.Client();
        first.Challenge();
        var second = _turn.Client();
        second.Realm = first.Realm;
        second.Nonce = first.Nonce;

        second.Allocated();
    }

    [Fact]
    public void NonceOlderThanItsLifetime_Gets438()
    {
        var client = _turn.Client();
        client.Challenge();
        _turn.Time.AdvanceSeconds(599);
        client.Refresh().AssertError(StunMethod.Refresh, StunErrorCode.AllocationMismatch); // still fresh

        _turn.Time.AdvanceSeconds(2);

        var stale = client.Allocate().AssertError(StunMethod.Allocate, StunErrorCode.StaleNonce);
        client.Learn(stale);
        client.Allocated();
    }

    [Theory]
    [InlineData("obMatJos2AAADAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("not-our-nonce")]
    [InlineData("")]
    public void ForgedNonce_Gets438(string nonce)
    {
        var client = _turn.Client();
        client.Challenge();
        client.Nonce = nonce;

        client.Allocate().AssertError(StunMethod.Allocate, StunErrorCode.StaleNonce);
        Assert.Equal(0, _turn.Server.AllocationCount);
    }

    [Fact]
    public void NonceWithTamperedTimestamp_Gets438()
    {
        var client = _turn.Client();
        client.Challenge();
        var token = Convert.FromBase64String(client.Nonce!["obMatJos2AAAD".Length..]);
        token[7] ^= 0x40; // issue time moved, MAC unchanged
        client.Nonce = "obMatJos2AAAD" + Convert.ToBase64String(token);

        client.Allocate().AssertError(StunMethod.Allocate, StunErrorCode.StaleNonce);
    }

    [Theory]
    [InlineData("rest1")]
    [InlineData("rest2")]
    public void RestCredentials_WorkUnderEitherSecret(string secret)
    {
        var (username, password) = TestClient.RestCredentials(secret, "carol", _turn.Time.UnixSeconds + 3600);
        var client = _turn.Client(username, password);

        var response = client.Allocated();

        Assert.True(response.VerifyIntegrity(client.Key));
    }

    [Fact]
    public void RestCredentials_WithoutName_Work()
    {
        string username = (_turn.Time.UnixSeconds + 60).ToString();
        string password = Convert.ToBase64String(System.Security.Cryptography.HMACSHA1.HashData("rest1"u8, Encoding.UTF8.GetBytes(username)));

        _turn.Client(username, password).Allocated();
    }

    [Fact]
    public void RestCredentials_Expired_Get401()
    {
        var (username, password) = TestClient.RestCredentials("rest1", "carol", _turn.Time.UnixSeconds - 1);

        _turn.Client(username, password).Allocate().AssertError(StunMethod.Allocate, StunErrorCode.Unauthenticated);
    }

    [Fact]
    public void RestCredentials_ExpireForNewAllocations_WhileTheAllocationMadeInTimeKeepsBeingRefreshed()
    {
        var (username, password) = TestClient.RestCredentials("rest1", "carol", _turn.Time.UnixSeconds + 10);
        var client = _turn.Client(username, password);
        client.Allocated();

        _turn.Time.AdvanceSeconds(11);

        // As with coturn: the expiry bounds when an allocation can be made, not how long a call lasts.
        client.Refresh().AssertSuccess(StunMethod.Refresh);
        client.CreatePermission(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("8.8.8.8"), 1)).AssertSuccess(StunMethod.CreatePermission);
        _turn.Client(username, password).Allocate().AssertError(StunMethod.Allocate, StunErrorCode.Unauthenticated);
        var otherPassword = TestClient.RestCredentials("rest1", "carol", _turn.Time.UnixSeconds + 3600).Password;
        client.Password = otherPassword;
        client.Refresh().AssertError(StunMethod.Refresh, StunErrorCode.Unauthenticated); // the same name with another password
    }

    [Fact]
    public void RestCredentials_UnderAnUnknownSecret_Get401()
    {
        var (username, password) = TestClient.RestCredentials("not-configured", "carol", _turn.Time.UnixSeconds + 3600);

        _turn.Client(username, password).Allocate().AssertError(StunMethod.Allocate, StunErrorCode.Unauthenticated);
    }

    [Fact]
    public void Sha256PasswordAlgorithm_WithIntegritySha256_Works()
    {
        var client = _turn.Client();
        client.Sha256 = true;

        var response = client.Allocated();

        Assert.True(response.Has(StunAttributeType.MessageIntegritySha256));
        Assert.False(response.Has(StunAttributeType.MessageIntegrity));
        Assert.True(response.VerifyIntegritySha256(client.Key));
        Assert.Equal(32, client.Key.Length);
    }

    [Fact]
    public void Sha256PasswordAlgorithm_WithWrongPassword_Gets401()
    {
        var client = _turn.Client(password: "wrong");
        client.Sha256 = true;

        client.Allocate().AssertError(StunMethod.Allocate, StunErrorCode.Unauthenticated);
    }

    [Fact]
    public void Sha256PasswordAlgorithm_ForRestCredentials_Works()
    {
        var (username, password) = TestClient.RestCredentials("rest2", "carol", _turn.Time.UnixSeconds + 3600);
        var client = _turn.Client(username, password);
        client.Sha256 = true;

        Assert.True(client.Allocated().VerifyIntegritySha256(client.Key));
    }

    [Fact]
    public void PasswordAlgorithmWithoutPasswordAlgorithms_Gets400()
    {
        // RFC 8489 §9.2.4: PASSWORD-ALGORITHM is accepted only with the PASSWORD-ALGORITHMS the server sent
        // echoed beside it; this stops a man in the middle from bidding the algorithm down.
        var client = _turn.Client();
        client.Sha256 = true;
        client.Challenge();
        var request = new StunRequest(StunMethod.Allocate)
            .AddString(StunAttributeType.Username, "alice")
            .AddString(StunAttributeType.Realm, client.Realm!)
            .AddString(StunAttributeType.Nonce, client.Nonce!)
            .Add(StunAttributeType.PasswordAlgorithm, [0, 2, 0, 0])
            .RequestedTransport(17);
        request.IntegrityKey = client.Key;
        request.IntegritySha256 = true;

        client.Exchange(request).AssertError(StunMethod.Allocate, StunErrorCode.BadRequest);
        Assert.Equal(0, _turn.Server.AllocationCount);
    }

    [Fact]
    public void PasswordAlgorithmsNotAsSent_Gets400()
    {
        var client = _turn.Client();
        client.Challenge();
        var request = new StunRequest(StunMethod.Allocate)
            .AddString(StunAttributeType.Username, "alice")
            .AddString(StunAttributeType.Realm, client.Realm!)
            .AddString(StunAttributeType.Nonce, client.Nonce!)
            .Add(StunAttributeType.PasswordAlgorithms, StunCredentials.EncodePasswordAlgorithms([StunPasswordAlgorithm.Md5]))
            .Add(StunAttributeType.PasswordAlgorithm, [0, 1, 0, 0])
            .RequestedTransport(17);
        request.IntegrityKey = client.Key;

        client.Exchange(request).AssertError(StunMethod.Allocate, StunErrorCode.BadRequest);
    }

    [Fact]
    public void UnsupportedPasswordAlgorithm_Gets400()
    {
        var client = _turn.Client();
        client.Challenge();
        var request = new StunRequest(StunMethod.Allocate)
            .AddString(StunAttributeType.Username, "alice")
            .AddString(StunAttributeType.Realm, client.Realm!)
            .AddString(StunAttributeType.Nonce, client.Nonce!)
            .Add(StunAttributeType.PasswordAlgorithms, client.PasswordAlgorithms!)
            .Add(StunAttributeType.PasswordAlgorithm, [0, 9, 0, 0])
            .RequestedTransport(17);
        request.IntegrityKey = client.Key;

        client.Exchange(request).AssertError(StunMethod.Allocate, StunErrorCode.BadRequest);
    }

    [Fact]
    public void Md5PasswordAlgorithm_NamedExplicitly_Works()
    {
        var client = _turn.Client();
        client.Challenge();
        var request = new StunRequest(StunMethod.Allocate)
            .AddString(StunAttributeType.Username, "alice")
            .AddString(StunAttributeType.Realm, client.Realm!)
            .AddString(StunAttributeType.Nonce, client.Nonce!)
            .Add(StunAttributeType.PasswordAlgorithms, client.PasswordAlgorithms!)
            .Add(StunAttributeType.PasswordAlgorithm, [0, 1, 0, 0])
            .RequestedTransport(17);
        request.IntegrityKey = client.Key;

        client.Exchange(request).AssertSuccess(StunMethod.Allocate);
    }

    [Fact]
    public void UserHash_ForStaticUser_Works()
    {
        var client = _turn.Client("bob", "pw");
        client.UseUserHash = true;

        var response = client.Allocated();

        Assert.True(response.VerifyIntegrity(client.Key));
        Assert.Equal("bob", client.Connection.Allocation!.Username);
    }

    [Fact]
    public void UserHash_WithSha256_Works()
    {
        var client = _turn.Client();
        client.UseUserHash = true;
        client.Sha256 = true;

        Assert.True(client.Allocated().VerifyIntegritySha256(client.Key));
    }

    [Fact]
    public void UserHash_OfUnknownUser_Gets401()
    {
        var client = _turn.Client("mallory", "secret");
        client.UseUserHash = true;

        client.Allocate().AssertError(StunMethod.Allocate, StunErrorCode.Unauthenticated);
    }

    [Fact]
    public void RequestsAfterTheFirst_ReuseTheNonce()
    {
        var client = _turn.Client();
        client.Allocated();

        var response = client.Refresh();

        response.AssertSuccess(StunMethod.Refresh);
        Assert.True(response.VerifyIntegrity(client.Key));
    }

    [Fact]
    public void NoAuth_AllocatesWithoutChallenge()
    {
        using var turn = new TurnHarness(o => { o.NoAuth = true; o.Users = []; o.StaticAuthSecrets = []; });
        var client = turn.Client();

        var response = client.Exchange(new StunRequest(StunMethod.Allocate).RequestedTransport(17)).AssertSuccess(StunMethod.Allocate);

        Assert.False(response.Has(StunAttributeType.MessageIntegrity));
        Assert.Equal("anonymous", client.Connection.Allocation!.Username);
    }

    [Fact]
    public void LongestValidRealmAndSoftware_StillFitInEveryAnswer()
    {
        // 127 characters each (the most RFC 8489 §14.9 and §14.14 allow, and the validator accepts), 4 bytes each in UTF-8.
        string longest = string.Concat(Enumerable.Repeat("\U0001F600", 127));
        using var turn = new TurnHarness(o => { o.Realm = longest; o.Software = longest; });
        Assert.True(new Switchboard.Turn.Configuration.TurnOptionsValidator().Validate(null, turn.Options).Succeeded);
        var client = turn.Client();
        client.Sha256 = true;

        var challenge = client.Exchange(new StunRequest(StunMethod.Allocate) { Fingerprint = true }.RequestedTransport(17));
        challenge.AssertError(StunMethod.Allocate, StunErrorCode.Unauthenticated);
        Assert.Equal(longest, challenge.GetString(StunAttributeType.Realm));
        Assert.True(challenge.VerifyFingerprint());
        client.Learn(challenge);

        var request = client.Sign(new StunRequest(StunMethod.Allocate).RequestedTransport(17).Add(StunAttributeType.AdditionalAddressFamily, [2, 0, 0, 0]));
        request.Fingerprint = true;
        var allocated = client.Exchange(request).AssertSuccess(StunMethod.Allocate);
        Assert.True(allocated.VerifyIntegritySha256(client.Key));
        Assert.Equal(longest, allocated.GetString(StunAttributeType.Software));
    }

    [Fact]
    public void QuotaName_IsTheNameAfterTheRestTimestamp()
    {
        Assert.Equal("carol", CredentialStore.QuotaName("1900000000:carol"));
        Assert.Equal("1900000000", CredentialStore.QuotaName("1900000000"));
        Assert.Equal("alice", CredentialStore.QuotaName("alice"));
        Assert.Equal("x:y", CredentialStore.QuotaName("x:y"));
    }
}
