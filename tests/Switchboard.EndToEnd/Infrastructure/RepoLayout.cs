using System.Reflection;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>Where the repository and the server's build output are, seen from the test assembly.</summary>
public static class RepoLayout
{
    /// <summary>The folder that holds Switchboard.slnx, found by walking up from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration the test assembly was built with (Debug, Release); the server is taken from the same one.</summary>
    public static string Configuration { get; } =
        typeof(RepoLayout).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The server's entry assembly, run with <c>dotnet switchboard.dll</c>.</summary>
    public static string ServerDll => Path.Combine(Root, "src", "Switchboard.Server", "bin", Configuration, "net10.0", "switchboard.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Switchboard.slnx above {AppContext.BaseDirectory}.");
    }
}
