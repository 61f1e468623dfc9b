using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Switchboard.Protocols.Tests.Containers;

/// <summary>What ffprobe says of a file: its first stream's codec and size, the container's duration, and the frames it decoded.</summary>
public sealed record ProbeResult(string Codec, int Width, int Height, double Duration, int Frames);

/// <summary>Runs ffmpeg and ffprobe from PATH. A missing tool fails the test (CI installs them; the tests are never skipped).</summary>
public static class FfmpegTool
{
    public static string Ffmpeg(params string[] arguments) => Run("ffmpeg", arguments).Stdout;

    /// <summary>Decodes the file (its first <paramref name="seconds"/> when given) and returns what ffmpeg printed at error
    /// level (empty when none). The null output keeps the file's time base (-enc_time_base -1): by default it takes the
    /// stream's frame rate, and two frames 1 ms apart would meet at one time there, which ffmpeg reports as an error.</summary>
    public static string DecodeErrors(string file, double? seconds = null) =>
        Run("ffmpeg", ["-v", "error", .. seconds is { } s ? ["-t", s.ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>(), "-i", file,
            "-enc_time_base", "-1", "-f", "null", "-"]).Stderr.Trim();

    /// <summary>The time of the last packet the file holds: how far it plays, also when it has no duration in its header (a
    /// Matroska file never finished).</summary>
    public static double LastPacketTime(string file) =>
        Run("ffprobe", "-v", "error", "-show_entries", "packet=pts_time", "-of", "csv=p=0", file).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Max(time => double.Parse(time.TrimEnd(','), CultureInfo.InvariantCulture));

    public static ProbeResult Probe(string file)
    {
        string json = Run("ffprobe", "-v", "error", "-count_frames", "-show_entries",
            "stream=codec_name,width,height,nb_read_frames:format=duration", "-of", "json", file).Stdout;
        using var document = JsonDocument.Parse(json);
        var stream = document.RootElement.GetProperty("streams")[0];
        int Int(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) ? (value.ValueKind == JsonValueKind.Number ? value.GetInt32() : int.Parse(value.GetString()!, CultureInfo.InvariantCulture)) : 0;
        double duration = document.RootElement.GetProperty("format").TryGetProperty("duration", out var d)
            ? double.Parse(d.GetString()!, CultureInfo.InvariantCulture) : 0;
        return new ProbeResult(stream.GetProperty("codec_name").GetString()!, Int(stream, "width"), Int(stream, "height"), duration,
            Int(stream, "nb_read_frames"));
    }

    /// <summary>One line per packet: its keyframe flag, in file order.</summary>
    public static bool[] KeyframeFlags(string file) =>
        Run("ffprobe", "-v", "error", "-show_entries", "packet=flags", "-of", "csv=p=0", file).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(flags => flags.StartsWith('K')).ToArray();

    static (string Stdout, string Stderr) Run(string tool, params string[] arguments)
    {
        var info = new ProcessStartInfo(Find(tool)) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), $"{tool} did not finish in 3 minutes");
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited with {process.ExitCode}: {stderr.Result}");
        return (stdout, stderr.Result);
    }

    static string Find(string tool)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            string path = Path.Combine(directory, tool);
            if (File.Exists(path)) return path;
        }
        Assert.Fail($"{tool} is not on PATH: the container tests check the files with ffmpeg and ffprobe (Debian/Ubuntu: apt-get install ffmpeg).");
        return "";
    }
}
