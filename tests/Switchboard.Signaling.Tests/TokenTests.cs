using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Signaling.Tests;

/// <summary>The token matrix: what each kind of bad token gets when joining, and the codec's own checks.</summary>
public sealed class TokenTests
{
    private static readonly ApiKey OtherKey = new() { Key = SignalingHost.Key.Key, Secret = "another-secret-that-is-long-enough-too" };

    public static TheoryData<string, string?> JoinMatrix => new()
    {
        { "valid", null },
        { "expired", "token-expired" },
        { "not-yet-valid", "token-expired" },
        { "wrong-room", "token-room-mismatch" },
        { "no-join-grant", "permission-denied" },
        { "bad-signature", "token-invalid" },
        { "unknown-key", "token-invalid" },
        { "garbage", "token-invalid" },
        { "none", "token-required" },
    };

    [Theory, MemberData(nameof(JoinMatrix))]
    public async Task Join_with_each_kind_of_token(string kind, string? expectedError)
    {
        await using var host = await SignalingHost.StartAsync(("AllowAnonymous", "false"));
        string? token = kind switch
        {
            "valid" => SignalingHost.Token("alice", "r", Grants.Participant),
            "expired" => SignalingHost.Token("alice", "r", Grants.Participant, lifetime: TimeSpan.FromMinutes(-5)),
            "not-yet-valid" => SignalingHost.Token("alice", "r", Grants.Participant, notBefore: DateTimeOffset.UtcNow.AddHours(1)),
            "wrong-room" => SignalingHost.Token("alice", "elsewhere", Grants.Participant),
            "no-join-grant" => SignalingHost.Token("alice", "r", new Grants(Publish: true, Subscribe: true)),
            "bad-signature" => SignalingHost.Token("alice", "r", Grants.Participant, key: OtherKey),
            "unknown-key" => SignalingHost.Token("alice", "r", Grants.Participant, key: new ApiKey { Key = "nobody", Secret = OtherKey.Secret }),
            "garbage" => "not.a.jwt",
            _ => null,
        };
        await using var client = await host.ConnectAsync();
        await client.SendAsync(new { type = "join", room = "r", token });
        if (expectedError is null)
        {
            var joined = await client.ExpectAsync("joined");
            Assert.Equal("alice", joined.GetProperty("participant").GetProperty("identity").GetString());
        }
        else
        {
            await client.ExpectErrorAsync(expectedError);
        }
    }

    [Fact]
    public void A_token_round_trips_its_claims()
    {
        var codec = new AccessTokenCodec([SignalingHost.Key]);
        var expires = DateTimeOffset.UtcNow.AddMinutes(10);
        var jwt = AccessTokenCodec.Create(new AccessToken("id-1", "Name", "room-1", new Grants(Join: true, Admin: true), expires), SignalingHost.Key, DateTimeOffset.UtcNow);
        var token = codec.Validate(jwt, DateTimeOffset.UtcNow).Token!;
        Assert.Equal(("id-1", "Name", "room-1"), (token.Identity, token.Name, token.Room));
        Assert.Equal(new Grants(Join: true, Admin: true), token.Grants);
        Assert.Equal(expires.ToUnixTimeSeconds(), token.Expires.ToUnixTimeSeconds());
    }

    [Theory]
    [InlineData("join,publish", null, true)]
    [InlineData("join,subscribe", null, false)]
    [InlineData("join,subscribe,data", true, true)]
    public void The_data_grant_follows_publish_unless_the_token_says(string grants, bool? data, bool maySendData)
    {
        var parsed = Grants.Parse(grants);
        Assert.Equal((data, maySendData), (parsed.Data, parsed.MaySendData));

        var codec = new AccessTokenCodec([SignalingHost.Key]);
        var expires = DateTimeOffset.UtcNow.AddMinutes(10);
        foreach (var sent in new[] { parsed, parsed with { Data = false } })
        {
            var jwt = AccessTokenCodec.Create(new AccessToken("id-1", null, "room-1", sent, expires), SignalingHost.Key, DateTimeOffset.UtcNow);
            Assert.Equal(sent, codec.Validate(jwt, DateTimeOffset.UtcNow).Token!.Grants);
        }
        Assert.False((parsed with { Data = false }).MaySendData);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("!!!.???.***")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")] // alg none
    [InlineData("eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3Qta2V5In0.eyJzdWIiOiJ4In0.c2ln")] // RS256
    [InlineData("W10.W10.W10")] // arrays, not objects
    public void Malformed_and_foreign_tokens_are_invalid(string jwt)
    {
        var result = new AccessTokenCodec([SignalingHost.Key]).Validate(jwt, DateTimeOffset.UtcNow);
        Assert.False(result.IsValid);
        Assert.Equal(TokenError.Invalid, result.Error);
    }

    [Fact]
    public void A_header_that_is_not_utf8_makes_the_token_invalid_without_throwing()
    {
        // Found by fuzzing (fuzz/corpus/token/regression-header-not-utf8): {"alg":"H<0x8B>256",...} made Validate throw
        // InvalidOperationException before the signature was checked.
        var result = new AccessTokenCodec([SignalingHost.Key]).Validate("eyJhbGciOiJIizI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImZ7enoifQ.MH0.", DateTimeOffset.UtcNow);
        Assert.Equal((false, TokenError.Invalid), (result.IsValid, result.Error));
    }

    [Theory]
    // Found by fuzzing (fuzz/corpus/token/regression-*): strings with a lone surrogate escape or invalid UTF-8, in the
    // header or in the claims of a correctly signed token, made Validate throw InvalidOperationException.
    [InlineData("""{"alg":"\ud800","kid":"test-key"}""", """{"sub":"x","exp":4102444800}""")]
    [InlineData("""{"alg":"HS256","kid":"test-key"}""", """{"sub":"\ud800","exp":4102444800}""")]
    [InlineData("""{"alg":"HS256","kid":"test-key"}""", """{"sub":"bob","name":"\udc00\ud800","exp":4102444800}""")]
    [InlineData("""{"alg":"HS256","kid":"test-key"}""", """{"sub":"bob","name":"B#b","exp":4102444800}""")] // # becomes 0x90
    public void Signed_strings_that_are_not_text_make_the_token_invalid_without_throwing(string header, string payload)
    {
        static byte[] Bytes(string json) => [.. Encoding.UTF8.GetBytes(json).Select(b => b == (byte)'#' ? (byte)0x90 : b)];
        var signingInput = Base64Url.EncodeToString(Bytes(header)) + "." + Base64Url.EncodeToString(Bytes(payload));
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(SignalingHost.Key.Secret), Encoding.ASCII.GetBytes(signingInput));
        var result = new AccessTokenCodec([SignalingHost.Key]).Validate(signingInput + "." + Base64Url.EncodeToString(signature), DateTimeOffset.UtcNow);
        Assert.Equal((false, TokenError.Invalid), (result.IsValid, result.Error));
    }

    [Fact]
    public void A_tampered_payload_or_oversized_token_is_invalid()
    {
        var codec = new AccessTokenCodec([SignalingHost.Key]);
        var jwt = SignalingHost.Token("alice", "r", Grants.Participant);
        var parts = jwt.Split('.');
        var admin = SignalingHost.Token("alice", "r", new Grants(Join: true, Admin: true)).Split('.')[1];
        Assert.Equal(TokenError.Invalid, codec.Validate($"{parts[0]}.{admin}.{parts[2]}", DateTimeOffset.UtcNow).Error);
        Assert.False(codec.Validate(jwt + new string('A', 5000), DateTimeOffset.UtcNow).IsValid);
        Assert.True(codec.Validate(jwt, DateTimeOffset.UtcNow).IsValid);
    }

    [Fact]
    public void Grants_parse_from_a_list()
    {
        Assert.Equal(new Grants(Join: true, Subscribe: true), Grants.Parse("join, subscribe"));
        Assert.Throws<FormatException>(() => Grants.Parse("join,fly"));
    }
}
