using System.Text.Json;
using Switchboard.EndToEnd.Infrastructure;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Signaling;

/// <summary>
/// The signaling server of the real process, with its default settings, flooded with the largest broadcasts in a full
/// room: its memory stays within a stated budget, the participants who read keep receiving every message in order, one
/// whose socket dropped resumes and gets everything it missed, and one who reads nothing holds no copies.
/// </summary>
public sealed class BroadcastFloodTests(ITestOutputHelper log)
{
    private const int RoomSize = 50, Flooders = 4, BroadcastsEach = 50;

    /// <summary>
    /// The server process's budget: the most it may hold resident (VmHWM) from its start to the end of the flood. Kept
    /// per recipient, the flood's 200 broadcasts of 64 KiB to 49 others would be 612 MiB.
    /// </summary>
    private const long PeakResidentBudget = 256L << 20;

    [Fact]
    public async Task Broadcasts_of_64_KiB_in_a_room_of_50_keep_the_server_within_its_memory_budget_and_the_others_receiving()
    {
        await using var server = await SwitchboardProcess.StartAsync(["--Signaling:AllowAnonymous=true", "--Signaling:DefaultMediaMode=p2p"], role: "all");
        var people = new List<SignalingSocket>();
        try
        {
            for (int i = 0; i < RoomSize; i++) people.Add(await SignalingSocket.JoinAsync(server.HttpBase, "flood"));
            var readers = people[..^2]; // people[^2] reads nothing from here on
            var dropped = people[^1]; // loses its socket before the flood
            await dropped.DisposeAsync();
            long residentBefore = ProcessMemory.Resident(server.Process.Id);

            var reading = readers.Select((reader, i) => ReadBroadcastsAsync(reader, i < Flooders ? (Flooders - 1) * BroadcastsEach : Flooders * BroadcastsEach)).ToList();
            var filler = new string('x', 65_400); // a frame of 65,4xx bytes: just under Signaling:MaxMessageBytes
            await Task.WhenAll(Enumerable.Range(0, Flooders).Select(async f =>
            {
                for (int i = 0; i < BroadcastsEach; i++) await readers[f].SendAsync(new { type = "message", data = $"{f}:{i}:{filler}" });
            }));
            var received = await Task.WhenAll(reading);

            long peak = ProcessMemory.PeakResident(server.Process.Id), residentAfter = ProcessMemory.Resident(server.Process.Id);
            log.WriteLine($"server resident: {residentBefore >> 20} MiB before the flood, {residentAfter >> 20} MiB after it, peak {peak >> 20} MiB (budget {PeakResidentBudget >> 20} MiB)");
            Assert.True(peak < PeakResidentBudget, $"the server held {peak >> 20} MiB resident at its peak; the budget is {PeakResidentBudget >> 20} MiB\n{server.OutputTail()}");

            // Everyone who reads got every broadcast of the others, in order, numbered without a gap.
            for (int i = 0; i < readers.Count; i++)
                Assert.True(received[i], $"participant {i} got its messages out of order or with a gap in seq");

            // What the server keeps for resumes is bounded in bytes (Signaling:ResumeBufferTotalBytes, default 256 MiB),
            // and a broadcast kept for many participants counts once.
            using var http = new HttpClient { BaseAddress = server.HttpBase };
            double kept = PrometheusText.Value(await http.GetStringAsync("metrics"), "switchboard_signaling_resume_buffers_size_bytes");
            log.WriteLine($"kept for resumes: {kept / (1 << 20):0.0} MiB");
            Assert.InRange(kept, 1, 256 << 20);

            // The one whose socket dropped resumes and gets the whole flood it missed (12.8 MiB, within the 16 MiB of
            // Signaling:ResumeBufferBytes), in order.
            var (again, answer) = await SignalingSocket.ResumeAsync(server.HttpBase, dropped.ResumeToken, dropped.LastSeq);
            await using (again)
            {
                Assert.Equal("resumed", answer.GetProperty("type").GetString());
                Assert.True(await ReadBroadcastsAsync(again, Flooders * BroadcastsEach, dropped.LastSeq), "the resumed participant got the missed messages out of order or with a gap in seq");
            }

            // The room still works: a small broadcast after the flood reaches everyone who reads.
            var late = readers.Skip(1).Select(r => r.ExpectAsync("message")).ToList();
            await readers[0].SendAsync(new { type = "message", data = "after the flood" });
            foreach (var message in await Task.WhenAll(late)) Assert.Equal("after the flood", message.GetProperty("data").GetString());
        }
        finally
        {
            foreach (var person in people) await person.DisposeAsync();
        }
    }

    /// <summary>Reads until <paramref name="expected"/> flood broadcasts have arrived; true when seq grew by one each time.</summary>
    private static async Task<bool> ReadBroadcastsAsync(SignalingSocket reader, int expected, long? after = null)
    {
        int broadcasts = 0;
        bool inOrder = true;
        long lastSeq = after ?? reader.LastSeq;
        while (broadcasts < expected)
        {
            var message = await reader.ReceiveAsync() ?? throw new Xunit.Sdk.XunitException($"a reader was disconnected after {broadcasts} of {expected} broadcasts");
            if (!message.TryGetProperty("seq", out var seq)) continue;
            inOrder &= seq.GetInt64() == lastSeq + 1;
            lastSeq = seq.GetInt64();
            if (message.GetProperty("type").GetString() == "message" && message.GetProperty("data").ValueKind == JsonValueKind.String) broadcasts++;
        }
        return inOrder;
    }
}
