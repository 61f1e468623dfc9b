using System.Globalization;

namespace Switchboard.Bench;

/// <summary>The server's memory and CPU time as the kernel reports them (/proc/PID/status, /proc/PID/stat).</summary>
public static class ProcessStats
{
    /// <summary>utime + stime (fields 14 and 15 of /proc/PID/stat), in seconds.</summary>
    public static double CpuSeconds(int? pid)
    {
        if (pid is null) return 0;
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    public static long ResidentBytes(int? pid) => Read(pid, "VmRSS:");
    public static long PeakBytes(int? pid) => Read(pid, "VmHWM:");

    static long Read(int? pid, string field)
    {
        if (pid is null) return 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        return 0;
    }
}
