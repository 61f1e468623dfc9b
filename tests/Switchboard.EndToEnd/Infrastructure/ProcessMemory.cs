using System.Globalization;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>A process's resident memory as Linux counts it (/proc/PID/status).</summary>
public static class ProcessMemory
{
    /// <summary>Resident now (VmRSS), in bytes.</summary>
    public static long Resident(int pid) => Field(pid, "VmRSS:");

    /// <summary>The most the process has held resident since it started (VmHWM, the high-water mark), in bytes.</summary>
    public static long PeakResident(int pid) => Field(pid, "VmHWM:");

    private static long Field(int pid, string name)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(name, StringComparison.Ordinal));
        var kib = line[name.Length..].Trim().Split(' ')[0];
        return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
    }
}
