using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Switchboard.Media.Contracts;

namespace Switchboard.Media.Recording.Export;

/// <summary>
/// One export: ffmpeg run as a child process with <see cref="ExportPlan"/>'s arguments, its progress read from
/// <c>-progress pipe:1</c>, its errors kept (the last few KiB), killed when it runs far past what the media takes.
/// </summary>
internal sealed class ExportJob
{
    private const int ErrorTailChars = 4096;

    private readonly Lock _gate = new();
    private readonly StringBuilder _errors = new();
    private ExportState _state = ExportState.Running;
    private double _progress;
    private string? _error;

    public ExportJob(string id, string recordingId, ExportRequest request, ExportPlan plan)
    {
        Id = id;
        RecordingId = recordingId;
        Request = request;
        Plan = plan;
        Completion = RunAsync();
    }

    public string Id { get; }
    public string RecordingId { get; }
    public ExportRequest Request { get; }
    public ExportPlan Plan { get; }
    public Task Completion { get; }

    public ExportInfo Describe()
    {
        lock (_gate)
            return new ExportInfo(Id, RecordingId, Request.Kind, Request.ParticipantId, _state, Math.Round(_progress, 3),
                _state == ExportState.Done ? Plan.OutputName : null, _error);
    }

    private async Task RunAsync()
    {
        await Task.Yield();
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in Plan.Arguments) start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => OnProgress(line.Data);
        process.ErrorDataReceived += (_, line) => OnError(line.Data);
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            End(ExportState.Failed, $"ffmpeg could not be started ({e.Message}): install it (Debian package ffmpeg)");
            return;
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60 + 10 * Plan.DurationSeconds));
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            End(ExportState.Failed, "ffmpeg took too long and was stopped");
            return;
        }
        lock (_gate)
            if (process.ExitCode == 0) (_state, _progress) = (ExportState.Done, 1);
            else (_state, _error) = (ExportState.Failed, $"ffmpeg failed ({process.ExitCode}): {_errors.ToString().Trim()}");
    }

    /// <summary>A line of ffmpeg's progress: <c>out_time_us</c> is how far the output got.</summary>
    private void OnProgress(string? line)
    {
        if (line is null || !line.StartsWith("out_time_us=", StringComparison.Ordinal)
            || !long.TryParse(line.AsSpan("out_time_us=".Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out long micros)) return;
        lock (_gate) _progress = Plan.DurationSeconds <= 0 ? 0 : Math.Clamp(micros / 1e6 / Plan.DurationSeconds, 0, 0.999);
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

    private void End(ExportState state, string error)
    {
        lock (_gate) (_state, _error) = (state, error);
    }
}
