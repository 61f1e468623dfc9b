using Switchboard.Server.Signaling;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Server.Tests.Signaling;

public class TokenCommandTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Create_reads_identity_room_name_grants_and_ttl()
    {
        var (token, settings) = TokenCommand.Parse(["create", "--room", "r1", "--identity", "ann", "--name", "Ann", "--grants", "join,subscribe", "--ttl", "30m", "--Signaling:ApiKeys:0:Key=k"], Now);
        Assert.Equal(("ann", "Ann", "r1"), (token.Identity, token.Name, token.Room));
        Assert.Equal(new Grants(Join: true, Subscribe: true), token.Grants);
        Assert.Equal(Now.AddMinutes(30), token.Expires);
        Assert.Equal(["--Signaling:ApiKeys:0:Key=k"], settings);
    }

    [Fact]
    public void Admin_needs_no_room_and_defaults_are_participant_grants_for_six_hours()
    {
        var (admin, _) = TokenCommand.Parse(["create", "--identity", "ops", "--admin"], Now);
        Assert.True(admin.Grants.Admin);
        Assert.Null(admin.Room);
        var (plain, _) = TokenCommand.Parse(["create", "--identity", "p", "--room", "x"], Now);
        Assert.Equal(Grants.Participant, plain.Grants);
        Assert.Equal(Now.AddHours(6), plain.Expires);
    }

    [Theory]
    [InlineData("list")]
    [InlineData("create")]
    [InlineData("create", "--identity", "a")]
    [InlineData("create", "--identity", "a", "--room", "bad room")]
    [InlineData("create", "--identity", "a", "--room", "r", "--ttl", "soon")]
    [InlineData("create", "--identity", "a", "--room", "r", "--ttl", "5y")]
    [InlineData("create", "--identity", "a", "--room", "r", "--grants", "fly")]
    [InlineData("create", "--identity", "a", "--room", "r", "--wat")]
    [InlineData("create", "--identity")]
    [InlineData("create", "--identity", "a", "--room", "r", "--ttl", "")]
    [InlineData("create", "--identity", "a", "--room", "r", "--ttl", "s")]
    public void Bad_arguments_are_refused_with_a_message(params string[] args)
    {
        var error = Assert.Throws<FormatException>(() => TokenCommand.Parse(args, Now));
        Assert.False(string.IsNullOrEmpty(error.Message));
    }

    [Fact]
    public void An_unusable_data_directory_or_setting_exits_with_a_message_not_a_stack_trace()
    {
        var file = Path.GetTempFileName(); // a file where the data directory should be
        try
        {
            var error = new StringWriter();
            var previous = Console.Error;
            Console.SetError(error);
            try
            {
                Assert.Equal(1, TokenCommand.Run(["create", "--identity", "a", "--room", "r", $"--Server:DataDirectory={file}"], TimeProvider.System));
                Assert.Equal(2, TokenCommand.Run(["create", "--identity", "a", "--room", "r", "--Signaling:MaxConnections=many"], TimeProvider.System));
            }
            finally
            {
                Console.SetError(previous);
            }
            Assert.Contains("Cannot read or create the API key", error.ToString());
            Assert.Contains("Configuration error", error.ToString());
            Assert.DoesNotContain("   at ", error.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void An_unreadable_api_key_file_is_kept_aside_and_replaced_and_that_is_said()
    {
        var directory = Directory.CreateTempSubdirectory("switchboard-key").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, GeneratedApiKey.FileName), "{ not json");
            var key = GeneratedApiKey.LoadOrCreate(directory, out string? replaced);
            Assert.NotNull(replaced);
            Assert.Equal("{ not json", File.ReadAllText(replaced));
            Assert.Equal(key.Secret, GeneratedApiKey.LoadOrCreate(directory, out string? again).Secret);
            Assert.Null(again);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_generated_api_key_is_kept_and_signs_tokens_the_server_accepts()
    {
        var directory = Directory.CreateTempSubdirectory("switchboard-key").FullName;
        try
        {
            var key = GeneratedApiKey.LoadOrCreate(directory);
            Assert.Equal(key.Secret, GeneratedApiKey.LoadOrCreate(directory).Secret);
            Assert.True(key.Secret.Length >= ApiKey.MinimumSecretLength);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, GeneratedApiKey.FileName)));
            var jwt = AccessTokenCodec.Create(new AccessToken("a", null, "r", Grants.Participant, DateTimeOffset.UtcNow.AddMinutes(1)), key, DateTimeOffset.UtcNow);
            Assert.True(new AccessTokenCodec([key]).Validate(jwt, DateTimeOffset.UtcNow).IsValid);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
