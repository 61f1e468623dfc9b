using Switchboard.EndToEnd.Infrastructure;

namespace Switchboard.EndToEnd.Interop;

/// <summary>The aiortc scripts (Interop/Aiortc) talk to their tests through files they write whole, then rename.</summary>
internal static class AiortcFiles
{
    public const string Python = "/usr/bin/python3";

    /// <summary>A script of Interop/Aiortc, as copied beside the tests.</summary>
    public static string Script(string name)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: install the Debian package python3-aiortc (./test.sh does)");
        return Path.Combine(AppContext.BaseDirectory, "Interop", "Aiortc", name);
    }

    /// <summary>The file <paramref name="name"/> once the script has written it; fails if the script exits or 30 s pass first.</summary>
    public static async Task<string> ReadWhenWrittenAsync(TempDirectory directory, string name, ChildProcess process)
    {
        string path = Path.Combine(directory.Path, name);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!File.Exists(path))
        {
            if (process.HasExited || DateTime.UtcNow > deadline) Assert.Fail($"aiortc wrote no {name}:\n{process.OutputTail()}");
            await Task.Delay(50);
        }
        return await File.ReadAllTextAsync(path);
    }
}
