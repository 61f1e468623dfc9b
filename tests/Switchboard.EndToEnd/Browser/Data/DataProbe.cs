using System.Reflection;
using System.Text.Json;

namespace Switchboard.EndToEnd.Browser.Data;

/// <summary>The page script the data channel tests install (data-probe.js), and what a page's probe reports.</summary>
public static class DataProbe
{
    public static readonly string Script = Load();

    /// <summary>Message sizes every sender sends reliably, text and binary: empty to the server's 256 KiB.</summary>
    public static readonly int[] ReliableSizes = [0, 1, 1000, 16 * 1024, 64 * 1024, 256 * 1024];

    /// <summary>Sizes sent lossy (unordered, maxRetransmits 0): one SCTP message each, frame included.</summary>
    public static readonly int[] LossySizes = [0, 100, 1000, 16_000];

    /// <summary>The JS that sends <paramref name="count"/> messages of each size, text and binary, to everyone.</summary>
    public static string Send(int count, int[] sizes, bool reliable) =>
        $"window.dataProbe.send({count}, [{string.Join(',', sizes)}], {{ reliable: {(reliable ? "true" : "false")} }})";

    /// <summary>JS that reads what the probe received: [{topic, ok}].</summary>
    public const string Received = "JSON.stringify(window.dataProbe.received)";

    public static IReadOnlyList<(string Topic, bool Ok)> Parse(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateArray().Select(e => (e.GetProperty("topic").GetString()!, e.GetProperty("ok").GetBoolean())).ToList();

    /// <summary>Topics a sender's <see cref="Send"/> produces, in order.</summary>
    public static IEnumerable<string> Topics(string sender, int count, int[] sizes, bool reliable)
    {
        int n = 0;
        foreach (int size in sizes)
            foreach (string type in new[] { "text", "bin" })
                for (int i = 0; i < count; i++, n++)
                    yield return $"m|{sender}|{n}|{size}|{type}|{(reliable ? "reliable" : "lossy")}";
    }

    private static string Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("data-probe.js")
                           ?? throw new InvalidOperationException("data-probe.js is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
