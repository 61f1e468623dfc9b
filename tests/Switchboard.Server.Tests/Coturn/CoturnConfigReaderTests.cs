using Switchboard.Server.Configuration.Coturn;

namespace Switchboard.Server.Tests.Coturn;

public class CoturnConfigReaderTests
{
    private static IReadOnlyList<CoturnEntry> Read(string text) => CoturnConfigFile.ReadEntries(new StringReader(text));

    [Theory]
    [InlineData("listening-port=3478")]
    [InlineData("listening-port 3478")]
    [InlineData("listening-port\t3478")]
    [InlineData("listening-port = 3478")]
    [InlineData("listening-port==3478")]
    [InlineData("  listening-port=3478   ")]
    [InlineData("\tlistening-port=3478\t")]
    [InlineData("--listening-port=3478")]
    [InlineData("--listening-port 3478")]
    [InlineData("listening-port=\"3478\"")]
    [InlineData("listening-port=3478\r")]
    public void Key_and_value_forms(string line)
    {
        var entry = Assert.Single(Read(line));
        Assert.Equal(new CoturnEntry("listening-port", "3478", 1), entry);
    }

    [Fact]
    public void Comments_blank_lines_and_flags()
    {
        var entries = Read("""
            # a comment
               # an indented comment

            verbose
            	
            fingerprint
            --no-cli
            realm=example.org
            """);

        Assert.Equal(
            [
                new CoturnEntry("verbose", null, 4),
                new CoturnEntry("fingerprint", null, 6),
                new CoturnEntry("no-cli", null, 7),
                new CoturnEntry("realm", "example.org", 8),
            ],
            entries);
    }

    [Fact]
    public void Hash_after_the_start_of_a_line_is_part_of_the_value()
    {
        // coturn only knows whole-line comments.
        var entry = Assert.Single(Read("cli-password=abc#def # not a comment"));
        Assert.Equal("abc#def # not a comment", entry.Value);
    }

    [Fact]
    public void Quotes_are_removed_and_inner_text_kept()
    {
        var entries = Read("""
            pidfile="/var/run/turnserver.pid"
            cipher-list="ECDHE-RSA-AES256-GCM-SHA384:DEFAULT"
            realm="example.org"   
            static-auth-secret="has spaces inside"
            log-file="/var/log/unterminated
            """);

        Assert.Equal(
            ["/var/run/turnserver.pid", "ECDHE-RSA-AES256-GCM-SHA384:DEFAULT", "example.org", "has spaces inside", "/var/log/unterminated"],
            entries.Select(e => e.Value));
    }

    [Fact]
    public void Value_keeps_inner_spaces()
    {
        var entry = Assert.Single(Read("static-auth-secret=a b  c"));
        Assert.Equal("a b  c", entry.Value);
    }

    [Theory]
    [InlineData("no-udp=")]
    [InlineData("no-udp =")]
    [InlineData("no-udp=\"\"")]
    public void Empty_value_reads_as_a_flag(string line)
    {
        Assert.Null(Assert.Single(Read(line)).Value);
    }

    [Fact]
    public void Names_keep_their_case()
    {
        Assert.Equal(["verbose", "Verbose"], Read("verbose\nVerbose").Select(e => e.Key));
    }

    [Fact]
    public void Repeated_keys_are_all_kept_in_order_with_line_numbers()
    {
        var entries = Read("user=a:1\n\nuser=b:2\r\n# x\r\nuser=c:3\n");
        Assert.Equal(
            [new CoturnEntry("user", "a:1", 1), new CoturnEntry("user", "b:2", 3), new CoturnEntry("user", "c:3", 5)],
            entries);
    }
}
