using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>What <c>turnutils_uclient</c> reported at the end of a run.</summary>
public sealed record UclientResult(
    string CommandLine,
    int ExitCode,
    string Output,
    long? SentMessages,
    long? ReceivedMessages,
    long? SentBytes,
    long? ReceivedBytes,
    long? LostPackets,
    double? LostPercent,
    long? SendDropped,
    double? AverageRoundTripMs,
    long? MinRoundTripMs,
    long? MaxRoundTripMs,
    double? AverageJitterMs,
    long? TransmitSeconds)
{
    /// <summary>The command, exit code and full output, for assertion messages.</summary>
    public string Describe() => $"{CommandLine}\nexit code {ExitCode}\n--- output ---\n{Output}";
}

/// <summary>What <c>turnutils_stunclient</c> reported.</summary>
public sealed record StunclientResult(string CommandLine, int ExitCode, string Output, IPEndPoint? MappedAddress)
{
    public string Describe() => $"{CommandLine}\nexit code {ExitCode}\n--- output ---\n{Output}";
}

/// <summary>Runs coturn's client tools (package coturn) with a timeout and parses their summaries.</summary>
public static partial class TurnUtils
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs <c>turnutils_uclient ARGS</c>; throws with the full output if it does not finish within the timeout.</summary>
    public static async Task<UclientResult> RunUclientAsync(IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var (commandLine, exitCode, output) = await RunAsync("turnutils_uclient", arguments, timeout ?? DefaultTimeout);
        return ParseUclient(commandLine, exitCode, output);
    }

    /// <summary>Runs <c>turnutils_stunclient ARGS</c>; throws with the full output if it does not finish within the timeout.</summary>
    public static async Task<StunclientResult> RunStunclientAsync(IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var (commandLine, exitCode, output) = await RunAsync("turnutils_stunclient", arguments, timeout ?? TimeSpan.FromSeconds(30));
        return ParseStunclient(commandLine, exitCode, output);
    }

    public static UclientResult ParseUclient(string commandLine, int exitCode, string output)
    {
        // The periodic lines also carry these counters ("msz=..., tot_send_msgs=..."): the last one is the total.
        var messages = Last(MessagesPattern(), output);
        var bytes = Last(BytesPattern(), output);
        var lost = Last(LostPattern(), output);
        var roundTrip = Last(RoundTripPattern(), output);
        var jitter = Last(JitterPattern(), output);
        var transmit = Last(TransmitPattern(), output);
        return new UclientResult(
            commandLine,
            exitCode,
            output,
            SentMessages: Long(messages, 1),
            ReceivedMessages: Long(messages, 2),
            SentBytes: Long(bytes, 1),
            ReceivedBytes: Long(bytes, 2),
            LostPackets: Long(lost, 1),
            LostPercent: Double(lost, 2),
            SendDropped: Long(lost, 3),
            AverageRoundTripMs: Double(roundTrip, 1),
            MinRoundTripMs: Long(roundTrip, 2),
            MaxRoundTripMs: Long(roundTrip, 3),
            AverageJitterMs: Double(jitter, 1),
            TransmitSeconds: Long(transmit, 1));
    }

    public static StunclientResult ParseStunclient(string commandLine, int exitCode, string output)
    {
        var match = Last(ReflexivePattern(), output);
        IPEndPoint? mapped = match is not null && IPEndPoint.TryParse(match.Groups[1].Value, out var endpoint) ? endpoint : null;
        return new StunclientResult(commandLine, exitCode, output, mapped);
    }

    private static async Task<(string CommandLine, int ExitCode, string Output)> RunAsync(string tool, IEnumerable<string> arguments, TimeSpan timeout)
    {
        await using var process = ChildProcess.Start(tool, arguments);
        if (!await process.WaitForExitAsync(timeout))
        {
            process.Kill();
            await process.WaitForExitAsync(TimeSpan.FromSeconds(5));
            throw new TimeoutException($"{process.CommandLine}\ndid not finish within {timeout.TotalSeconds:0} s. Full output:\n{process.Output}");
        }

        return (process.CommandLine, process.ExitCode, process.Output);
    }

    private static Match? Last(Regex pattern, string text)
    {
        Match? last = null;
        foreach (Match match in pattern.Matches(text))
        {
            last = match;
        }

        return last;
    }

    private static long? Long(Match? match, int group) =>
        match is not null && long.TryParse(match.Groups[group].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static double? Double(Match? match, int group) =>
        match is not null && double.TryParse(match.Groups[group].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    [GeneratedRegex(@"tot_send_msgs=(\d+), tot_recv_msgs=(\d+)")]
    private static partial Regex MessagesPattern();

    [GeneratedRegex(@"tot_send_bytes ~ (\d+), tot_recv_bytes ~ (\d+)")]
    private static partial Regex BytesPattern();

    [GeneratedRegex(@"Total lost packets (\d+) \(([\d.]+)%\), total send dropped (\d+)")]
    private static partial Regex LostPattern();

    [GeneratedRegex(@"Average round trip delay ([\d.]+) ms; min = (\d+) ms, max = (\d+) ms")]
    private static partial Regex RoundTripPattern();

    [GeneratedRegex(@"Average jitter ([\d.]+) ms; min = (\d+) ms, max = (\d+) ms")]
    private static partial Regex JitterPattern();

    [GeneratedRegex(@"Total transmit time is (\d+)")]
    private static partial Regex TransmitPattern();

    [GeneratedRegex(@"UDP reflexive addr: (\S+)")]
    private static partial Regex ReflexivePattern();
}
