using System.Runtime.Versioning;

namespace Switchboard.Server.Tests.Startup;

public sealed class GeneratedTurnSecretTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "switchboard-secret-" + Guid.NewGuid().ToString("N"));

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void IsMadeOnce_KeptPrivate_AndReused()
    {
        var first = GeneratedTurnSecret.LoadOrCreate(_directory);
        var second = GeneratedTurnSecret.LoadOrCreate(_directory);
        Assert.Equal(first, second);
        Assert.Equal(32, Convert.FromBase64String(first).Length);
        var mode = File.GetUnixFileMode(Path.Combine(_directory, GeneratedTurnSecret.FileName));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Fact]
    public void DifferentDirectories_GetDifferentSecrets()
    {
        var other = _directory + "-other";
        try
        {
            Assert.NotEqual(GeneratedTurnSecret.LoadOrCreate(_directory), GeneratedTurnSecret.LoadOrCreate(other));
        }
        finally { Directory.Delete(other, true); }
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, true);
    }
}
