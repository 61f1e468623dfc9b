using System.Globalization;

namespace Switchboard.Bench;

/// <summary>A process's memory and CPU time as the kernel reports them (/proc/PID/status, /proc/PID/stat), and its descendants.</summary>
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

    /// <summary>The command name (/proc/PID/comm), empty for a process that is gone.</summary>
    public static string Command(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
        catch (IOException) { return ""; }
    }

    /// <summary>The processes below <paramref name="pid"/> (children, their children, ...), by the parent ids in /proc/PID/stat.</summary>
    public static List<int> Descendants(int pid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int child)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(directory, "stat")); }
            catch (IOException) { continue; } // it ended meanwhile
            int parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
            (children.TryGetValue(parent, out var list) ? list : children[parent] = []).Add(child);
        }
        var result = new List<int>();
        var pending = new Queue<int>([pid]);
        while (pending.TryDequeue(out int next))
            foreach (int child in children.GetValueOrDefault(next) ?? [])
            {
                result.Add(child);
                pending.Enqueue(child);
            }
        return result;
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
