using System.Globalization;
using System.Text.Json;

namespace Switchboard.Server.Cli;

/// <summary><c>switchboard stats</c>: the admin dashboard's overview as a line of text a second (GET /api/overview).</summary>
internal static class StatsView
{
    /// <summary>Prints each new sample until stopped (or the first with <paramref name="once"/>); a refusal ends it with the answer.</summary>
    public static async Task<HttpResponseMessage?> RunAsync(HttpClient http, bool once, TextWriter output)
    {
        long after = 0;
        while (true)
        {
            HttpResponseMessage response = await http.GetAsync($"api/overview?after={after.ToString(CultureInfo.InvariantCulture)}");
            if (!response.IsSuccessStatusCode) return response;
            using (response)
            {
                JsonElement overview = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                int count = overview.GetProperty("time").GetArrayLength();
                if (count > 0)
                {
                    after = overview.GetProperty("time")[count - 1].GetInt64();
                    await output.WriteLineAsync(Line(overview, count - 1));
                    if (once) return null;
                }
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>One sample: "15:47:02  rooms 2  participants 4 ... cpu 12.5%  memory 182 MiB".</summary>
    private static string Line(JsonElement overview, int sample)
    {
        var names = overview.GetProperty("names").EnumerateArray().Select(n => n.GetString()!).ToList();
        double Value(string name) => overview.GetProperty("values")[names.IndexOf(name)][sample].GetDouble();
        string at = DateTimeOffset.FromUnixTimeSeconds(overview.GetProperty("time")[sample].GetInt64()).ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture,
            $"{at}  rooms {Value("rooms")}  participants {Value("participants")}  connections {Value("connections")}  peers {Value("peers")}  " +
            $"in {Bits(Value("bitrateIn"))}  out {Bits(Value("bitrateOut"))}  lost {Value("packetsLost"):0}/s  rtt {Value("roundTripMs"):0} ms  " +
            $"turn {Value("turnAllocations")} ({Bits(Value("turnBitrate"))})  cpu {Value("cpuPercent"):0.0}%  memory {Value("memoryMiB"):0} MiB");
    }

    private static string Bits(double perSecond) => perSecond switch
    {
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e9:0.00} Gbit/s"),
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e6:0.00} Mbit/s"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e3:0.0} kbit/s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{perSecond:0} bit/s"),
    };
}
