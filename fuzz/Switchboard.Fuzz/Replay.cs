using System.Diagnostics;

namespace Switchboard.Fuzz;

/// <summary>
/// Runs inputs through targets in process, without afl-fuzz or instrumentation: every file of a corpus, each on a
/// thread of its own so that a hang is reported (after <see cref="HangTimeout"/>) instead of blocking the run. Prints
/// one line per target, "fuzz replay: TARGET: ok (N inputs)" or "fuzz replay: TARGET: FAILED ...", and the input, the
/// exception and its stack for each crash. Exit code 0 when every input of every target ran clean, 1 otherwise.
/// </summary>
public static class Replay
{
    public static readonly TimeSpan HangTimeout = TimeSpan.FromSeconds(10);

    /// <param name="corpusRoot">True when <paramref name="paths"/> is one folder holding a folder per target.</param>
    public static int Run(IReadOnlyList<FuzzTargetInfo> targets, bool corpusRoot, IReadOnlyList<string> paths)
    {
        int failedTargets = 0, inputs = 0;
        var clock = Stopwatch.StartNew();
        foreach (var target in targets)
        {
            var files = new List<string>();
            var missing = new List<string>();
            foreach (var path in corpusRoot ? [Path.Combine(paths[0], target.Name)] : paths)
            {
                if (File.Exists(path)) files.Add(path);
                else if (Directory.Exists(path)) files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
                else missing.Add(path);
            }
            if (missing.Count > 0 || files.Count == 0)
            {
                Console.WriteLine($"fuzz replay: {target.Name}: FAILED: no input at {string.Join(", ", missing.DefaultIfEmpty(string.Join(", ", paths)))}");
                failedTargets++;
                continue;
            }

            int crashes = 0;
            var started = clock.Elapsed;
            foreach (var file in files)
            {
                var problem = RunOne(target, File.ReadAllBytes(file), out bool hung);
                if (problem is null) continue;
                crashes++;
                Console.WriteLine($"fuzz replay: {target.Name}: {(hung ? "HANG" : "CRASH")} on {file}");
                Console.WriteLine(Indent(problem));
                if (hung)
                {
                    // The hung thread cannot be stopped; report and leave.
                    Console.WriteLine($"fuzz replay: {target.Name}: FAILED: {file} ran longer than {HangTimeout.TotalSeconds:0} s");
                    Console.Out.Flush();
                    Environment.Exit(1);
                }
            }
            inputs += files.Count;
            var took = (clock.Elapsed - started).TotalMilliseconds;
            if (crashes == 0) Console.WriteLine($"fuzz replay: {target.Name}: ok ({files.Count} inputs, {took:0} ms)");
            else
            {
                Console.WriteLine($"fuzz replay: {target.Name}: FAILED: {crashes} of {files.Count} inputs crashed");
                failedTargets++;
            }
        }
        Console.WriteLine($"fuzz replay: {targets.Count - failedTargets} of {targets.Count} targets clean, {inputs} inputs, {clock.Elapsed.TotalSeconds:0.0} s");
        return failedTargets == 0 ? 0 : 1;
    }

    /// <summary>The exception an input caused (null when it ran clean); <paramref name="hung"/> when it did not return in time.</summary>
    public static string? RunOne(FuzzTargetInfo target, byte[] input, out bool hung)
    {
        Exception? failure = null;
        void Run()
        {
            try
            {
                target.Run(input);
            }
            catch (Exception e)
            {
                failure = e;
            }
        }
        var thread = new Thread(Run, maxStackSize: 16 * 1024 * 1024) { IsBackground = true, Name = "replay " + target.Name };
        thread.Start();
        hung = !thread.Join(HangTimeout);
        if (hung) return $"no return after {HangTimeout.TotalSeconds:0} s";
        return failure?.ToString();
    }

    static string Indent(string text) => "    " + text.ReplaceLineEndings(Environment.NewLine + "    ");
}
