using System.Diagnostics;
using System.Text;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>
/// A process started by a test: its stdout and stderr are captured (interleaved, as they arrive) for failure
/// messages, and disposing it kills the whole process tree.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int MaxCapturedChars = 4 * 1024 * 1024;

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private int _droppedChars;

    private ChildProcess(Process process, string commandLine)
    {
        _process = process;
        CommandLine = commandLine;
    }

    /// <summary>The command as it was started, for messages.</summary>
    private int _disposed;

    public string CommandLine { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process printed so far, stdout and stderr interleaved.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _droppedChars == 0 ? _output.ToString() : $"[... {_droppedChars} earlier characters dropped ...]\n{_output}";
            }
        }
    }

    /// <summary>The last <paramref name="maxChars"/> characters of <see cref="Output"/>.</summary>
    public string OutputTail(int maxChars = 16_000)
    {
        var all = Output;
        return all.Length <= maxChars ? all : "[...]\n" + all[^maxChars..];
    }

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        var commandLine = fileName + " " + string.Join(' ', info.ArgumentList.Select(Quote));
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process, commandLine);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        try
        {
            process.Start();
        }
        catch (Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start: {commandLine}", e);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the process to exit and its output to be read; false on timeout (the process keeps running).</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Sends SIGTERM (what systemd and docker send on stop) without waiting.</summary>
    public void SendTerminate()
    {
        if (_process.HasExited)
        {
            return;
        }

        // /bin/kill keeps the test project free of native interop.
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-s", "TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("Could not run kill.");
        kill.WaitForExit();
        if (kill.ExitCode != 0 && !_process.HasExited)
        {
            throw new InvalidOperationException($"kill -s TERM {_process.Id} exited with {kill.ExitCode}.");
        }
    }

    /// <summary>Sends SIGTERM and waits for the process to exit; returns its exit code, or throws with its output on timeout.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        SendTerminate();
        if (!await WaitForExitAsync(timeout))
        {
            throw new TimeoutException($"{CommandLine}\ndid not exit within {timeout.TotalSeconds:0} s of SIGTERM. Output:\n{OutputTail()}");
        }

        return _process.ExitCode;
    }

    /// <summary>Kills the process and all its descendants.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited in between.
        }
    }

    /// <summary>Kills the process and lets it go; again is nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Append(line).Append('\n');
            if (_output.Length > MaxCapturedChars)
            {
                var drop = _output.Length - (MaxCapturedChars / 2);
                _output.Remove(0, drop);
                _droppedChars += drop;
            }
        }
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => !char.IsWhiteSpace(c) && c != '\'' && c != '"')
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
