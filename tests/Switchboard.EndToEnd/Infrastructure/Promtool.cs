namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>Prometheus's own parser and linter: <c>promtool check metrics</c> (Debian package prometheus) reading an exposition on stdin.</summary>
public static class Promtool
{
    public const string Path = "/usr/bin/promtool";

    /// <summary>promtool's exit code when the exposition parsed but has lint problems (1 is a parse error).</summary>
    public const int LintProblems = 3;

    /// <summary>Runs <c>promtool check metrics</c> on <paramref name="exposition"/>: its exit code and what it printed.</summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition)
    {
        if (!File.Exists(Path)) throw new FileNotFoundException($"{Path} is missing: install the Debian package prometheus (./test.sh does).", Path);
        var input = System.IO.Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(input, exposition);
            await using var process = ChildProcess.Start("sh", ["-c", $"exec {Path} check metrics < \"$1\"", "sh", input]);
            Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30)), "promtool check metrics did not finish");
            return (process.ExitCode, process.Output);
        }
        finally
        {
            File.Delete(input);
        }
    }
}
