using System.Globalization;
using System.Text.Json;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>What ffprobe reads of a media file, and whether ffmpeg decodes all of it without an error (Debian's ffmpeg).</summary>
public static class MediaFiles
{
    /// <summary>The first stream's codec, size and frames; every stream's codec.</summary>
    public sealed record Probe(string Codec, double DurationSeconds, int Width, int Height, int Frames, IReadOnlyList<string> Codecs)
    {
        /// <summary>Whether the container states its duration (a finished file; one cut by a crash does not).</summary>
        public bool Finished { get; init; }
    }

    /// <summary>
    /// The first stream's codec, size and decoded frame count, and the file's duration: the container's, or where it has
    /// none (a file its writer did not finish) the end of its last packet.
    /// </summary>
    public static async Task<Probe> ProbeAsync(string path)
    {
        var (code, output) = await RunAsync("ffprobe", ["-v", "error", "-count_frames", "-show_entries",
            "stream=codec_name,width,height,nb_read_frames:format=duration", "-of", "json", path]);
        if (code != 0) throw new Xunit.Sdk.XunitException($"ffprobe could not read {Path.GetFileName(path)} ({code}): {output}");
        using var json = JsonDocument.Parse(output);
        var stream = json.RootElement.GetProperty("streams")[0];
        bool finished = json.RootElement.GetProperty("format").TryGetProperty("duration", out var d) && d.GetString() is not null;
        double duration = finished ? double.Parse(d.GetString()!, CultureInfo.InvariantCulture) : await LastPacketEndAsync(path);
        return new Probe(stream.GetProperty("codec_name").GetString()!, duration,
            stream.TryGetProperty("width", out var w) ? w.GetInt32() : 0, stream.TryGetProperty("height", out var h) ? h.GetInt32() : 0,
            stream.TryGetProperty("nb_read_frames", out var n) ? int.Parse(n.GetString()!, CultureInfo.InvariantCulture) : 0,
            json.RootElement.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("codec_name").GetString()!).ToList())
        { Finished = finished };
    }

    /// <summary>The codec and profile of each stream of a live source (an HLS playlist), from its first <paramref name="seconds"/>.</summary>
    public static async Task<IReadOnlyList<(string Codec, string? Profile)>> LiveCodecsAsync(string url, int seconds)
    {
        var (code, output) = await RunAsync("ffprobe", ["-v", "error", "-read_intervals", FormattableString.Invariant($"%+{seconds}"),
            "-show_entries", "stream=codec_name,profile", "-of", "json", url]);
        if (code != 0) throw new Xunit.Sdk.XunitException($"ffprobe could not read {url} ({code}): {output}");
        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("streams").EnumerateArray()
            .Select(s => (s.GetProperty("codec_name").GetString()!, s.TryGetProperty("profile", out var p) ? p.GetString() : null)).ToList();
    }

    private static async Task<double> LastPacketEndAsync(string path) =>
        (await PacketsAsync(path)).Select(p => p.Time + p.Duration).DefaultIfEmpty().Max();

    /// <summary>The first stream's packets in file order: each one's time and duration, in seconds.</summary>
    public static async Task<IReadOnlyList<(double Time, double Duration)>> PacketsAsync(string path)
    {
        var (code, output) = await RunAsync("ffprobe", ["-v", "error", "-select_streams", "0", "-show_entries", "packet=pts_time,duration_time", "-of", "json", path]);
        if (code != 0) throw new Xunit.Sdk.XunitException($"ffprobe could not read the packets of {Path.GetFileName(path)} ({code}): {output}");
        using var json = JsonDocument.Parse(output);
        static double Read(JsonElement packet, string name) =>
            packet.TryGetProperty(name, out var value) && value.GetString() is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : 0;
        return json.RootElement.GetProperty("packets").EnumerateArray().Select(p => (Read(p, "pts_time"), Read(p, "duration_time"))).ToList();
    }

    /// <summary>The stretches of at least <paramref name="minSeconds"/> where the audio stays below -50 dB (ffmpeg's silencedetect).</summary>
    public static async Task<IReadOnlyList<(double Start, double End)>> SilencesAsync(string path, double minSeconds)
    {
        var (code, output) = await RunAsync("ffmpeg", ["-nostdin", "-i", path, "-vn", "-af",
            FormattableString.Invariant($"silencedetect=noise=-50dB:d={minSeconds}"), "-f", "null", "-"]);
        if (code != 0) throw new Xunit.Sdk.XunitException($"ffmpeg could not decode {Path.GetFileName(path)} ({code}): {output}");
        static double After(string line, string key) =>
            double.Parse(line[(line.IndexOf(key, StringComparison.Ordinal) + key.Length)..].Split(' ', 2)[0], CultureInfo.InvariantCulture);
        var silences = new List<(double, double)>();
        double? start = null;
        foreach (string line in output.Split('\n'))
        {
            if (line.Contains("silence_start: ", StringComparison.Ordinal)) start = After(line, "silence_start: ");
            else if (line.Contains("silence_end: ", StringComparison.Ordinal) && start is { } from)
            {
                silences.Add((from, After(line, "silence_end: ")));
                start = null;
            }
        }
        if (start is { } open) silences.Add((open, double.PositiveInfinity)); // silent to the end
        return silences;
    }

    /// <summary>What ffmpeg says while decoding the whole file (empty: no error).</summary>
    public static async Task<string> DecodeErrorsAsync(string path)
    {
        var (code, output) = await RunAsync("ffmpeg", ["-v", "error", "-nostdin", "-i", path, "-f", "null", "-"]);
        return code == 0 ? output.Trim() : $"exit {code}: {output.Trim()}";
    }

    private static async Task<(int Code, string Output)> RunAsync(string tool, string[] arguments)
    {
        await using var process = ChildProcess.Start(tool, arguments);
        if (!await process.WaitForExitAsync(TimeSpan.FromMinutes(2))) throw new TimeoutException($"{tool} did not finish: {process.CommandLine}");
        return (process.ExitCode, process.Output);
    }
}
