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
