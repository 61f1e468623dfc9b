using Switchboard.Signaling.Protocol;

namespace Switchboard.Signaling.Tests;

/// <summary>docs/signaling.schema.json is what the message types say; SWITCHBOARD_UPDATE_SCHEMA=1 rewrites it.</summary>
public sealed class SchemaTests
{
    [Fact]
    public void The_committed_schema_matches_the_message_types()
    {
        var path = Path.Combine(RepoRoot(), "docs", "signaling.schema.json");
        var generated = SignalingSchema.Generate();
        if (Environment.GetEnvironmentVariable("SWITCHBOARD_UPDATE_SCHEMA") == "1") File.WriteAllText(path, generated);
        Assert.True(File.Exists(path) && File.ReadAllText(path) == generated,
            $"{path} is not what the message types generate: run the tests with SWITCHBOARD_UPDATE_SCHEMA=1 and commit the file.");
        Assert.Contains("\"participant-left\"", generated);
        Assert.Contains("\"resumeToken\"", generated);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx"))) return dir.FullName;
        throw new InvalidOperationException("No Switchboard.slnx above the test assembly.");
    }
}
