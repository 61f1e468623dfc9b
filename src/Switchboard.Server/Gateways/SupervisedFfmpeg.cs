using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Switchboard.Server.Gateways;

/// <summary>
/// An ffmpeg child process a gateway needs for as long as it lives: started with its arguments logged, its progress
/// (<c>-progress pipe:1</c>) and last error lines kept for the API, restarted with backoff (1 s doubling to 30 s) when it
/// exits, and stopped with the gateway or the server. A missing ffmpeg fails it once, with the Debian package to install.
/// </summary>
public sealed class SupervisedFfmpeg : IAsyncDisposable
{
    private const int ErrorTailChars = 1000;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly string _executable;
    private readonly IReadOnlyList<string> _arguments;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly StringBuilder _errors = new();
    private readonly Task _run;
    private string _state = "starting";
    private int _restarts;
    private string? _lastError;
    private long _frames;
    private double _seconds;

    public SupervisedFfmpeg(string name, string executable, IReadOnlyList<string> arguments, ILogger logger)
    {
        _name = name;
        _executable = executable;
        _arguments = arguments;
        _logger = logger;
        _run = Task.Run(RunAsync);
    }

    public FfmpegStatus Status
    {
        get
        {
            lock (_gate) return new FfmpegStatus(_state, _restarts, _frames, Math.Round(_seconds, 1), _lastError);
        }
    }

    private async Task RunAsync()
    {
        TimeSpan backoff = TimeSpan.FromSeconds(1);
        while (!_stopping.IsCancellationRequested)
        {
            var started = Stopwatch.StartNew();
            string? failure = await RunOnceAsync();
            if (failure is null || _stopping.IsCancellationRequested) break;
            if (started.Elapsed > MaxBackoff) backoff = TimeSpan.FromSeconds(1);
            lock (_gate) (_state, _lastError, _restarts) = ("restarting", failure, _restarts + 1);
            _logger.LogWarning("{Name}: {Failure}; restarting in {Seconds} s", _name, failure, backoff.TotalSeconds);
            try { await Task.Delay(backoff, _stopping.Token); }
            catch (OperationCanceledException) { break; }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
        lock (_gate) if (_state != "failed") _state = "stopped";
    }

    /// <summary>One run of the process; null when it must not be restarted (stopped, or ffmpeg is missing), else why it ended.</summary>
    private async Task<string?> RunOnceAsync()
    {
        var start = new ProcessStartInfo(_executable) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (string argument in _arguments) start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => OnProgress(line.Data);
        process.ErrorDataReceived += (_, line) => OnError(line.Data);
        _logger.LogInformation("{Name}: {Ffmpeg} {Arguments}", _name, _executable, string.Join(' ', _arguments));
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            lock (_gate) (_state, _lastError) = ("failed", $"{_executable} could not be started ({e.Message}): install ffmpeg (Debian package ffmpeg) or name it with Gateways:Ffmpeg");
            _logger.LogError("{Name}: ffmpeg could not be started: {Message}", _name, e.Message);
            return null;
        }
        lock (_gate) (_state, _errors.Length) = ("running", 0);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(_stopping.Token);
        }
        catch (OperationCanceledException)
        {
            await StopAsync(process);
            return null;
        }
        lock (_gate) return $"ffmpeg exited ({process.ExitCode}): {LastLines(_errors.ToString())}";
    }

    /// <summary>Asks ffmpeg to finish its output ('q' on its input), then kills it if it has not within 5 s.</summary>
    private static async Task StopAsync(Process process)
    {
        try
        {
            await process.StandardInput.WriteAsync('q');
            await process.StandardInput.FlushAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
        {
            try { process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { /* it exited meanwhile */ }
        }
    }

    /// <summary>A line of <c>-progress</c>: frames written and how far the output got.</summary>
    private void OnProgress(string? line)
    {
        if (line is null || line.Split('=', 2) is not [var key, var value]) return;
        lock (_gate)
        {
            if (key == "frame" && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long frames)) _frames = frames;
            else if (key == "out_time_us" && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long micros)) _seconds = micros / 1e6;
        }
    }

    private void OnError(string? line)
    {
        if (line is null) return;
        lock (_gate)
        {
            _errors.AppendLine(line);
            if (_errors.Length > ErrorTailChars) _errors.Remove(0, _errors.Length - ErrorTailChars);
        }
    }

    private static string LastLines(string text) =>
        string.Join(" / ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _run;
        _stopping.Dispose();
    }
}

/// <summary>A supervised ffmpeg as the API shows it: starting, running, restarting, failed or stopped.</summary>
public sealed record FfmpegStatus(string State, int Restarts, long Frames, double Seconds, string? LastError);
