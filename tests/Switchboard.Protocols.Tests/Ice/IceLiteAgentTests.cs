using System.Net;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Tests.Stun;

namespace Switchboard.Protocols.Tests.Ice;

public class IceLiteAgentTests
{
    static readonly IceCredentials Server = new("srvUfrag", "serverPassword0123456789");
    static readonly IceCredentials Browser = new("brwsUfrg", "browserPassword012345678");
    static readonly TimeSpan ConsentTimeout = TimeSpan.FromSeconds(30);
    static readonly IPEndPoint BrowserV4 = new(IPAddress.Parse("192.0.2.44"), 50123);
    static readonly IPEndPoint BrowserV6 = new(IPAddress.Parse("2001:db8::7:1"), 61000);

    const long Start = 1_000_000;

    static IceLiteAgent<string> NewAgent() => new(Server, Browser, ConsentTimeout, Start);

    /// <summary>What a browser puts in a connectivity check; each part can be left out or changed.</summary>
    sealed record Check
    {
        public string? Username { get; init; } = $"{Server.Ufrag}:{Browser.Ufrag}";
        public string? Password { get; init; } = Server.Password;
        public bool UseCandidate { get; init; }
        public bool Controlled { get; init; }
        public bool Fingerprint { get; init; } = true;
        public StunClass Class { get; init; } = StunClass.Request;

        public byte[] ToBytes()
        {
            var buffer = new byte[512];
            var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Binding, Class), RandomNumberGenerator.GetBytes(12));
            if (Username is not null) writer.AddString(StunAttributeType.Username, Username);
            writer.AddUInt32(StunAttributeType.Priority, 0x6E0001FF);
            writer.Add(Controlled ? StunAttributeType.IceControlled : StunAttributeType.IceControlling, RandomNumberGenerator.GetBytes(8));
            if (UseCandidate) writer.AddEmpty(StunAttributeType.UseCandidate);
            if (Password is not null) writer.AddMessageIntegrity(Encoding.UTF8.GetBytes(Password));
            if (Fingerprint) writer.AddFingerprint();
            return writer.Written.ToArray();
        }
    }

    sealed record Answer(IceCheckOutcome Outcome, byte[] Request, byte[] Response);

    static Answer Send(IceLiteAgent<string> agent, Check check, string path = "udp", IPEndPoint? source = null, long now = Start) =>
        Send(agent, check.ToBytes(), path, source, now);

    static Answer Send(IceLiteAgent<string> agent, byte[] request, string path = "udp", IPEndPoint? source = null, long now = Start)
    {
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(request, out var message));
        var response = new byte[128];
        var outcome = agent.HandleBindingRequest(message, path, source ?? BrowserV4, now, response, out int length);
        return new Answer(outcome, request, response[..length]);
    }

    static StunMessageReader ParseResponse(Answer answer, StunClass expectedClass)
    {
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(answer.Response, out var response));
        Assert.Equal(new StunMessageType(StunMethod.Binding, expectedClass), response.Type);
        Assert.Equal(answer.Request.AsSpan(8, 12).ToArray(), response.TransactionId.ToArray());
        Assert.True(response.VerifyFingerprint());
        return response;
    }

    static int ErrorCode(Answer answer, bool expectIntegrity)
    {
        var response = ParseResponse(answer, StunClass.ErrorResponse);
        Assert.Equal(expectIntegrity, response.HasMessageIntegrity);
        if (expectIntegrity) Assert.True(response.VerifyMessageIntegrity(Encoding.UTF8.GetBytes(Server.Password)));
        Assert.True(response.TryGetAttribute(StunAttributeType.ErrorCode, out var value));
        Assert.True(StunErrorCode.TryDecode(value, out int code, out _));
        return code;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Valid_check_gets_a_signed_success_with_the_source_as_xor_mapped_address(bool ipv6)
    {
        var agent = NewAgent();
        var source = ipv6 ? BrowserV6 : BrowserV4;

        var answer = Send(agent, new Check(), source: source);

        Assert.Equal(IceCheckOutcome.Valid, answer.Outcome);
        var response = ParseResponse(answer, StunClass.SuccessResponse);
        Assert.True(response.VerifyMessageIntegrity(Encoding.UTF8.GetBytes(Server.Password)));
        Assert.True(response.TryGetAttribute(StunAttributeType.XorMappedAddress, out var mapped));
        Assert.True(StunAddress.TryDecode(mapped, response.TransactionId, out var reported));
        Assert.Equal(source, reported);
        Assert.True(agent.IsValidPath("udp"));
    }

    [Fact]
    public void Check_without_use_candidate_validates_the_path_but_selects_nothing()
    {
        var agent = NewAgent();

        Assert.Equal(IceCheckOutcome.Valid, Send(agent, new Check()).Outcome);

        Assert.False(agent.TryGetSelectedPath(out _));
        Assert.False(agent.IsValidPath("other"));
    }

    /// <summary>The agent's check of a nominated path, as the browser's ICE agent answers it (signed with the browser's password).</summary>
    static byte[] AnswerTo(byte[] check, string password = "browserPassword012345678", byte[]? transaction = null)
    {
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(check, out var request));
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Binding, StunClass.SuccessResponse), transaction ?? request.TransactionId.ToArray());
        writer.AddXorAddress(StunAttributeType.XorMappedAddress, new IPEndPoint(IPAddress.Parse("198.51.100.1"), 3478));
        writer.AddMessageIntegrity(Encoding.UTF8.GetBytes(password));
        writer.AddFingerprint();
        return writer.Written.ToArray();
    }

    static bool Respond(IceLiteAgent<string> agent, byte[] response, string path)
    {
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(response, out var message));
        return agent.HandleBindingResponse(message, path);
    }

    static byte[] Verification(IceLiteAgent<string> agent, long now, string expectedPath)
    {
        var buffer = new byte[256];
        Assert.True(agent.TryWriteVerification(now, buffer, out string path, out int length));
        Assert.Equal(expectedPath, path);
        return buffer[..length];
    }

    [Fact]
    public void Use_candidate_selects_the_path_and_a_later_nomination_moves_the_selection_once_the_new_path_answers()
    {
        var agent = NewAgent();

        Assert.Equal(IceCheckOutcome.Nominated, Send(agent, new Check { UseCandidate = true }, "udp").Outcome);
        Assert.True(agent.TryGetSelectedPath(out var selected));
        Assert.Equal("udp", selected);

        Assert.Equal(IceCheckOutcome.Valid, Send(agent, new Check(), "tcp").Outcome);
        Assert.True(agent.TryGetSelectedPath(out selected));
        Assert.Equal("udp", selected);

        Assert.Equal(IceCheckOutcome.NominationPending, Send(agent, new Check { UseCandidate = true }, "tcp").Outcome);
        Assert.True(agent.TryGetSelectedPath(out selected));
        Assert.Equal("udp", selected); // not until the new path has shown it receives
        byte[] check = Verification(agent, Start, "tcp");
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(check, out var request));
        Assert.True(request.TryGetAttribute(StunAttributeType.Username, out var username));
        Assert.Equal($"{Browser.Ufrag}:{Server.Ufrag}", Encoding.UTF8.GetString(username)); // RFC 8445 §7.2.2, from this side
        Assert.True(request.HasAttribute(StunAttributeType.IceControlled) && request.VerifyMessageIntegrity(Encoding.UTF8.GetBytes(Browser.Password)));

        Assert.True(Respond(agent, AnswerTo(check), "tcp"));
        Assert.True(agent.TryGetSelectedPath(out selected));
        Assert.Equal("tcp", selected);
        Assert.True(agent.IsValidPath("udp"));
    }

    [Fact]
    public void A_nomination_from_a_path_that_never_answers_leaves_media_where_it_is()
    {
        var agent = NewAgent();
        Send(agent, new Check { UseCandidate = true }, "real");
        Assert.Equal(IceCheckOutcome.NominationPending, Send(agent, new Check { UseCandidate = true }, "forged").Outcome);

        // Five checks 200 ms apart, none answered (or answered wrongly); then the nomination is dropped.
        var checks = new List<long>();
        for (long now = Start; now < Start + 3000; now += 10)
        {
            var buffer = new byte[256];
            if (!agent.TryWriteVerification(now, buffer, out string path, out int length)) continue;
            Assert.Equal("forged", path);
            checks.Add(now);
            byte[] check = buffer[..length];
            Assert.False(Respond(agent, AnswerTo(check, password: "wrongPassword012345678901"), "forged"));
            Assert.False(Respond(agent, AnswerTo(check, transaction: new byte[12]), "forged"));
            Assert.False(Respond(agent, AnswerTo(check), "real")); // the right answer from another path
        }
        Assert.Equal([Start, Start + 200, Start + 400, Start + 600, Start + 800], checks);
        Assert.True(agent.TryGetSelectedPath(out var selected));
        Assert.Equal("real", selected);
    }

    [Fact]
    public void Wrong_password_gets_401_without_message_integrity()
    {
        var agent = NewAgent();

        var answer = Send(agent, new Check { Password = "notTheServerPassword0123", UseCandidate = true });

        Assert.Equal(IceCheckOutcome.Unauthorized, answer.Outcome);
        Assert.Equal(401, ErrorCode(answer, expectIntegrity: false));
        Assert.False(agent.IsValidPath("udp"));
        Assert.False(agent.TryGetSelectedPath(out _));
    }

    [Fact]
    public void Browser_password_instead_of_server_password_gets_401()
    {
        var answer = Send(NewAgent(), new Check { Password = Browser.Password });

        Assert.Equal(IceCheckOutcome.Unauthorized, answer.Outcome);
        Assert.Equal(401, ErrorCode(answer, expectIntegrity: false));
    }

    [Theory]
    [InlineData("wrongUfr:brwsUfrg")] // server side
    [InlineData("srvUfrag:wrongUfr")] // browser side
    [InlineData("brwsUfrg:srvUfrag")] // swapped
    [InlineData("srvUfrag:brwsUfrgX")] // longer
    [InlineData("srvUfrag")] // no colon
    [InlineData("srvUfrag:")]
    public void Wrong_ufrag_on_either_side_gets_401(string username)
    {
        var agent = NewAgent();

        var answer = Send(agent, new Check { Username = username });

        Assert.Equal(IceCheckOutcome.Unauthorized, answer.Outcome);
        Assert.Equal(401, ErrorCode(answer, expectIntegrity: false));
        Assert.False(agent.IsValidPath("udp"));
    }

    [Theory]
    [InlineData("USERNAME")]
    [InlineData("MESSAGE-INTEGRITY")]
    [InlineData("FINGERPRINT")]
    public void Check_missing_an_attribute_gets_400(string missing)
    {
        var agent = NewAgent();
        var check = missing switch
        {
            "USERNAME" => new Check { Username = null },
            "MESSAGE-INTEGRITY" => new Check { Password = null },
            _ => new Check { Fingerprint = false },
        };

        var answer = Send(agent, check);

        Assert.True(answer.Outcome == IceCheckOutcome.BadRequest, $"missing {missing}: {answer.Outcome}");
        Assert.Equal(400, ErrorCode(answer, expectIntegrity: false));
        Assert.False(agent.IsValidPath("udp"));
    }

    [Fact]
    public void Check_with_a_corrupted_fingerprint_is_dropped_without_an_answer()
    {
        var agent = NewAgent();
        var request = new Check { UseCandidate = true }.ToBytes();
        request[^1] ^= 0xFF;

        var answer = Send(agent, request);

        Assert.Equal(IceCheckOutcome.Ignored, answer.Outcome);
        Assert.Empty(answer.Response);
        Assert.False(agent.IsValidPath("udp"));
        Assert.False(agent.TryGetSelectedPath(out _));
    }

    [Fact]
    public void Peer_claiming_the_controlled_role_gets_487_with_integrity()
    {
        var agent = NewAgent();

        var answer = Send(agent, new Check { Controlled = true, UseCandidate = true });

        Assert.Equal(IceCheckOutcome.RoleConflict, answer.Outcome);
        Assert.Equal(487, ErrorCode(answer, expectIntegrity: true));
        Assert.False(agent.IsValidPath("udp"));
        Assert.False(agent.TryGetSelectedPath(out _));
    }

    [Theory]
    [InlineData(StunClass.SuccessResponse)]
    [InlineData(StunClass.ErrorResponse)]
    [InlineData(StunClass.Indication)]
    public void Anything_but_a_request_is_ignored_without_a_response(StunClass @class)
    {
        var agent = NewAgent();

        var answer = Send(agent, new Check { Class = @class, UseCandidate = true });

        Assert.Equal(IceCheckOutcome.Ignored, answer.Outcome);
        Assert.Empty(answer.Response);
        Assert.False(agent.IsValidPath("udp"));
    }

    [Fact]
    public void Request_of_another_method_is_ignored()
    {
        var buffer = new byte[64];
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Allocate, StunClass.Request), RandomNumberGenerator.GetBytes(12));
        writer.AddFingerprint();

        var answer = Send(NewAgent(), writer.Written.ToArray());

        Assert.Equal(IceCheckOutcome.Ignored, answer.Outcome);
        Assert.Empty(answer.Response);
    }

    [Fact]
    public void Each_valid_check_moves_the_consent_deadline()
    {
        var agent = NewAgent();
        long timeout = (long)ConsentTimeout.TotalMilliseconds;
        Assert.Equal(Start + timeout, agent.ConsentDeadline);

        Send(agent, new Check(), now: Start + 5_000);
        Assert.Equal(Start + 5_000 + timeout, agent.ConsentDeadline);

        Send(agent, new Check { UseCandidate = true }, now: Start + 20_000);
        Assert.Equal(Start + 20_000 + timeout, agent.ConsentDeadline);
        Assert.False(agent.IsConsentExpired(Start + 20_000 + timeout - 1));
        Assert.True(agent.IsConsentExpired(Start + 20_000 + timeout));
    }

    [Fact]
    public void Consent_expires_when_no_check_arrives_for_the_timeout()
    {
        var agent = NewAgent();
        long timeout = (long)ConsentTimeout.TotalMilliseconds;

        Assert.False(agent.IsConsentExpired(Start));
        Assert.False(agent.IsConsentExpired(Start + timeout - 1));
        Assert.True(agent.IsConsentExpired(Start + timeout));
    }

    [Fact]
    public void Invalid_checks_do_not_refresh_consent()
    {
        var agent = NewAgent();
        long deadline = agent.ConsentDeadline;

        Send(agent, new Check { Password = "notTheServerPassword0123" }, now: Start + 10_000);
        Send(agent, new Check { Username = "srvUfrag:someoneElse" }, now: Start + 11_000);
        Send(agent, new Check { Fingerprint = false }, now: Start + 12_000);
        Send(agent, new Check { Controlled = true }, now: Start + 13_000);
        Send(agent, new Check { Class = StunClass.Indication }, now: Start + 14_000);

        Assert.Equal(deadline, agent.ConsentDeadline);
        Assert.True(agent.IsConsentExpired(deadline));
    }

    [Fact]
    public void Restart_rejects_the_old_credentials_accepts_the_new_and_keeps_the_selection_until_renominated()
    {
        var agent = NewAgent();
        Send(agent, new Check { UseCandidate = true }, "udp");
        var newServer = new IceCredentials("newSrvUf", "newServerPassword0123456");
        var newBrowser = new IceCredentials("newBrwUf", "newBrowserPassword012345");

        agent.Restart(newServer, newBrowser);

        Assert.Equal((newServer, newBrowser), (agent.Local, agent.Remote));
        var old = Send(agent, new Check { UseCandidate = true }, "tcp");
        Assert.Equal(IceCheckOutcome.Unauthorized, old.Outcome);
        Assert.Equal(401, ErrorCode(old, expectIntegrity: false));
        Assert.True(agent.TryGetSelectedPath(out var selected));
        Assert.Equal("udp", selected);

        var renewed = Send(agent, new Check { Username = "newSrvUf:newBrwUf", Password = newServer.Password }, "tcp");
        Assert.Equal(IceCheckOutcome.Valid, renewed.Outcome);
        Assert.True(ParseResponse(renewed, StunClass.SuccessResponse).VerifyMessageIntegrity(Encoding.UTF8.GetBytes(newServer.Password)));
        Assert.True(agent.TryGetSelectedPath(out selected));
        Assert.Equal("udp", selected);

        var nominated = Send(agent, new Check { Username = "newSrvUf:newBrwUf", Password = newServer.Password, UseCandidate = true }, "tcp");
        Assert.Equal(IceCheckOutcome.NominationPending, nominated.Outcome);
        Assert.True(Respond(agent, AnswerTo(Verification(agent, Start, "tcp"), newBrowser.Password), "tcp"));
        Assert.True(agent.TryGetSelectedPath(out selected));
        Assert.Equal("tcp", selected);
    }

    [Fact]
    public void Removing_the_selected_path_drops_the_selection()
    {
        var agent = NewAgent();
        Send(agent, new Check { UseCandidate = true }, "tcp-1");
        Send(agent, new Check(), "udp");

        agent.RemovePath("udp");
        Assert.True(agent.TryGetSelectedPath(out var selected));
        Assert.Equal("tcp-1", selected);
        Assert.False(agent.IsValidPath("udp"));

        agent.RemovePath("tcp-1");
        Assert.False(agent.TryGetSelectedPath(out _));
        Assert.False(agent.IsValidPath("tcp-1"));
    }

    [Fact]
    public void More_than_max_valid_paths_evicts_the_oldest_but_never_the_selected_one()
    {
        var agent = NewAgent();
        Send(agent, new Check { UseCandidate = true }, "selected", now: Start);
        for (int i = 0; i < IceLiteAgent<string>.MaxValidPaths; i++)
            Assert.Equal(IceCheckOutcome.Valid, Send(agent, new Check(), $"path-{i}", now: Start + 1 + i).Outcome);

        Assert.True(agent.TryGetSelectedPath(out var selected));
        Assert.Equal("selected", selected);
        Assert.True(agent.IsValidPath("selected"));
        Assert.False(agent.IsValidPath("path-0")); // the oldest one not selected
        for (int i = 1; i < IceLiteAgent<string>.MaxValidPaths; i++) Assert.True(agent.IsValidPath($"path-{i}"));
    }

    [Fact]
    public void Repeated_checks_over_a_known_path_evict_nothing()
    {
        var agent = NewAgent();
        for (int i = 0; i < IceLiteAgent<string>.MaxValidPaths; i++) Send(agent, new Check(), $"path-{i}", now: Start + i);

        for (int i = 0; i < 5; i++) Send(agent, new Check(), "path-3", now: Start + 100 + i);

        for (int i = 0; i < IceLiteAgent<string>.MaxValidPaths; i++) Assert.True(agent.IsValidPath($"path-{i}"));
    }

    [Fact]
    public void Rfc5769_sample_request_is_a_role_conflict_because_it_carries_ice_controlled()
    {
        // RFC 5769 §2.1: USERNAME "evtj:h6vY", ICE-CONTROLLED, no USE-CANDIDATE; its integrity and fingerprint are
        // checked in Rfc5769VectorTests. The agent authenticates it, then refuses the role.
        var agent = new IceLiteAgent<string>(new IceCredentials("evtj", "VOkJxbRl1RmTxUk/WvJxBt"),
            new IceCredentials("h6vY", "anyRemotePassword0123456"), ConsentTimeout, Start);
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(Rfc5769VectorTests.SampleRequest, out var request));
        Assert.True(request.HasAttribute(StunAttributeType.IceControlled));
        Assert.False(request.HasAttribute(StunAttributeType.IceControlling));

        var response = new byte[128];
        var outcome = agent.HandleBindingRequest(request, "udp", BrowserV4, Start + 1, response, out int length);

        Assert.Equal(IceCheckOutcome.RoleConflict, outcome);
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(response.AsSpan(0, length), out var error));
        Assert.Equal(StunClass.ErrorResponse, error.Class);
        Assert.Equal("b7e7a701bc34d686fa87dfae", Convert.ToHexStringLower(error.TransactionId));
        Assert.True(error.VerifyMessageIntegrity(Encoding.UTF8.GetBytes("VOkJxbRl1RmTxUk/WvJxBt")));
        Assert.True(error.VerifyFingerprint());
        Assert.True(error.TryGetAttribute(StunAttributeType.ErrorCode, out var value));
        Assert.True(StunErrorCode.TryDecode(value, out int code, out _));
        Assert.Equal(487, code);
        Assert.False(agent.IsValidPath("udp"));
    }

    [Fact]
    public void Generated_credentials_are_valid_and_random()
    {
        var generated = Enumerable.Range(0, 50).Select(_ => IceCredentials.Generate()).ToList();

        Assert.All(generated, c => Assert.True(c.IsValid, $"{c.Ufrag} / {c.Password}"));
        Assert.All(generated, c => Assert.Equal((8, 24), (c.Ufrag.Length, c.Password.Length)));
        Assert.Equal(generated.Count, generated.Select(c => c.Ufrag).Distinct().Count());
        Assert.Equal(generated.Count, generated.Select(c => c.Password).Distinct().Count());
    }

    [Theory]
    [InlineData("abcd", "abcdefghijklmnopqrstuv", true)]
    [InlineData("abc", "abcdefghijklmnopqrstuv", false)] // ufrag shorter than 4
    [InlineData("abcd", "abcdefghijklmnopqrstu", false)] // password shorter than 22
    [InlineData("ab:d", "abcdefghijklmnopqrstuv", false)] // ':' is not an ice-char
    [InlineData("abcd", "abcdefghijklmnopqrst v", false)]
    [InlineData("a+/9", "ABCDEFGHIJKLMNOPQRSTU+/", true)]
    public void Credentials_validity_follows_rfc8839(string ufrag, string password, bool valid) =>
        Assert.Equal(valid, new IceCredentials(ufrag, password).IsValid);

    [Fact]
    public void Local_ufrag_is_read_from_a_binding_request_before_authentication()
    {
        var request = new Check { Username = "srvUfrag:brwsUfrg", Password = "whatever, not checked here" }.ToBytes();
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(request, out var message));

        Assert.True(IceUsername.TryGetLocalUfrag(message, out var ufrag));
        Assert.Equal("srvUfrag", ufrag);
    }

    [Theory]
    [InlineData(null, StunClass.Request)]
    [InlineData("srvUfrag", StunClass.Request)]
    [InlineData(":brwsUfrg", StunClass.Request)]
    [InlineData("srvUfrag:brwsUfrg", StunClass.Indication)]
    [InlineData("srvUfrag:brwsUfrg", StunClass.SuccessResponse)]
    public void Local_ufrag_is_not_read_from_other_messages(string? username, StunClass @class)
    {
        var request = new Check { Username = username, Class = @class }.ToBytes();
        Assert.Equal(StunParseError.None, StunMessageReader.TryParse(request, out var message));

        Assert.False(IceUsername.TryGetLocalUfrag(message, out var ufrag));
        Assert.Equal("", ufrag);
    }
}
