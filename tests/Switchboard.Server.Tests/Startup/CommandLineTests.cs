namespace Switchboard.Server.Tests.Startup;

public class CommandLineTests
{
    [Fact]
    public void NoArguments_RunsEverything()
    {
        var line = CommandLine.Parse([]);
        Assert.Equal(ServerRole.All, line.Role);
        Assert.Null(line.CoturnConfigPath);
        Assert.Empty(line.ConfigurationArgs);
    }

    [Fact]
    public void TurnRole_WithCoturnFile_KeepsTheRestForConfiguration()
    {
        var line = CommandLine.Parse(["turn", "--coturn-config", "/etc/turnserver.conf", "--Turn:Realm=example.org"]);
        Assert.Equal(ServerRole.Turn, line.Role);
        Assert.Equal("/etc/turnserver.conf", line.CoturnConfigPath);
        Assert.Equal(["--Turn:Realm=example.org"], line.ConfigurationArgs);
    }

    [Fact]
    public void CoturnFile_WithEqualsSign()
    {
        Assert.Equal("a.conf", CommandLine.Parse(["turn", "--coturn-config=a.conf"]).CoturnConfigPath);
    }

    [Fact]
    public void SettingsWithoutRole_RunEverything()
    {
        var line = CommandLine.Parse(["--Turn:Port=3479"]);
        Assert.Equal(ServerRole.All, line.Role);
        Assert.Equal(["--Turn:Port=3479"], line.ConfigurationArgs);
    }

    [Fact]
    public void UnknownRole_IsAnErrorThatShowsUsage()
    {
        var error = Assert.Throws<ArgumentException>(() => CommandLine.Parse(["tunr"]));
        Assert.Contains("Unknown command 'tunr'", error.Message);
        Assert.Contains("Usage: switchboard", error.Message);
    }

    [Fact]
    public void Help_IsRecognised()
    {
        Assert.True(CommandLine.Parse(["--help"]).ShowHelp);
        Assert.True(CommandLine.Parse(["turn", "-h"]).ShowHelp);
    }
}
