using System.Globalization;
using System.Net;
using Switchboard.EndToEnd.Infrastructure;

namespace Switchboard.EndToEnd.Harness;

/// <summary>The harness itself: output parsing and process control, which the server tests rely on.</summary>
public sealed class HarnessTests
{
    // The end of a real run (turnutils_uclient 4.6.1 -y -m 10 -n 200 -l 120 against coturn on loopback).
    private const string UclientOutput = """
        0: : Total connect time is 0
        8: : start_mclient: msz=12, tot_send_msgs=2198, tot_recv_msgs=2198, tot_send_bytes ~ 263760, tot_recv_bytes ~ 263760
        9: : start_mclient: msz=12, tot_send_msgs=2355, tot_recv_msgs=2355, tot_send_bytes ~ 282600, tot_recv_bytes ~ 282600
        9: : start_mclient: tot_send_msgs=2400, tot_recv_msgs=2399
        9: : start_mclient: tot_send_bytes ~ 288000, tot_recv_bytes ~ 287880
        9: : Total transmit time is 9
        9: : Total lost packets 1 (0.041667%), total send dropped 0 (0.000000%)
        9: : Average round trip delay 0.001667 ms; min = 0 ms, max = 4 ms
        9: : Average jitter 1.317083 ms; min = 0 ms, max = 7 ms
        """;

    [Fact]
    public void ParsesTheUclientSummary()
    {
        var result = TurnUtils.ParseUclient("turnutils_uclient ...", 0, UclientOutput);

        Assert.Equal(2400, result.SentMessages);
        Assert.Equal(2399, result.ReceivedMessages);
        Assert.Equal(288000, result.SentBytes);
        Assert.Equal(287880, result.ReceivedBytes);
        Assert.Equal(1, result.LostPackets);
        Assert.Equal(0.041667, result.LostPercent);
        Assert.Equal(0, result.SendDropped);
        Assert.Equal(0.001667, result.AverageRoundTripMs);
        Assert.Equal(0, result.MinRoundTripMs);
        Assert.Equal(4, result.MaxRoundTripMs);
        Assert.Equal(1.317083, result.AverageJitterMs);
        Assert.Equal(9, result.TransmitSeconds);
    }

    [Fact]
    public void AnUnfinishedUclientRunHasNoSummary()
    {
        var result = TurnUtils.ParseUclient("turnutils_uclient ...", 255, "0: : ERROR: Cannot complete Allocation\n");

        Assert.Null(result.LostPackets);
        Assert.Null(result.ReceivedMessages);
    }

    [Fact]
    public void ParsesTheStunclientMappedAddress()
    {
        var result = TurnUtils.ParseStunclient("turnutils_stunclient ...", 0, "0: : IPv4. UDP reflexive addr: 127.0.0.1:33522\n");

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 33522), result.MappedAddress);
    }

    [Fact]
    public async Task TerminateSendsSigtermAndReturnsTheExitCode()
    {
        await using var process = ChildProcess.Start("sh", ["-c", "trap 'echo got-term; exit 7' TERM; echo ready; while true; do sleep 0.1; done"]);
        await WaitForOutputAsync(process, "ready");

        var exitCode = await process.TerminateAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(7, exitCode);
        Assert.Contains("got-term", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisposeKillsTheWholeProcessTree()
    {
        var process = ChildProcess.Start("sh", ["-c", "sleep 300 & echo child $!; wait"]);
        await WaitForOutputAsync(process, "child ");
        var line = process.Output.Split('\n').First(l => l.StartsWith("child ", StringComparison.Ordinal));
        var childPid = int.Parse(line["child ".Length..].Trim(), CultureInfo.InvariantCulture);
        Assert.True(Directory.Exists($"/proc/{childPid}"));

        await process.DisposeAsync();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (IsRunning(childPid) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.False(IsRunning(childPid), $"The grandchild {childPid} survived.");
    }

    [Fact]
    public void FreePortsAreDistinctAndRelayRangesStayBelowTheEphemeralRange()
    {
        var ports = Enumerable.Range(0, 20).Select(_ => FreePorts.TcpAndUdp()).ToList();
        Assert.Equal(ports.Count, ports.Distinct().Count());

        for (var i = 0; i < 30; i++)
        {
            var (min, max) = FreePorts.RelayRange();
            Assert.True(min >= 1024 && max < 32768 && min < max, $"{min}-{max}");
        }
    }

    private static async Task WaitForOutputAsync(ChildProcess process, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!process.Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"No '{text}' in the output: {process.Output}");
            Assert.False(process.HasExited, $"Exited early: {process.Output}");
            await Task.Delay(20);
        }
    }

    // A killed child of a killed parent is reaped by init; until then /proc shows it as a zombie (state Z).
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z";
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }
}
