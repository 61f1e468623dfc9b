using System.Diagnostics.CodeAnalysis;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchboard.Media.Contracts;
using Switchboard.Media.Sfu;
using Switchboard.Media.Tests.Support;
using Switchboard.Media.Transport;
using Switchboard.Protocols.Sctp;

namespace Switchboard.Media.Tests.Sfu.Data;

/// <summary>
/// The room's data bus on the real media host over loopback sockets, with <see cref="DataClient"/>s as participants:
/// who gets a message (everyone, some, server code), who the server says sent it, the data grant, messages larger than
/// a receiver takes, server code sending and watching, and a participant that stops reading.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "xUnit v2 disposes a test class through IAsyncLifetime.DisposeAsync, which CA1001 does not count")]
public sealed class SfuDataTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private readonly MediaTransportHost _host = new(Options.Create(new MediaOptions { UdpPort = 0, TcpPort = -1, AnnouncedAddresses = ["127.0.0.1"] }),
        NullLogger<MediaTransportHost>.Instance);
    private readonly List<IDisposable> _disposables = [];
    private readonly List<MediaWarning> _warnings = [];
    private SfuService _sfu = null!;

    public Task InitializeAsync()
    {
        _sfu = new SfuService(_host, Options.Create(new MediaOptions
        {
            Sfu = { DataMaxMessageSize = 65536, DataQueueBytes = 256 * 1024, DataStallTimeout = TimeSpan.FromSeconds(1) },
        }), NullLogger<SfuService>.Instance);
        _sfu.ParticipantWarned += warning => { lock (_warnings) _warnings.Add(warning); };
        return _host.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables) disposable.Dispose();
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }

    private async Task<DataClient> JoinAsync(string id, bool maySendData = true, int maxMessageSize = 262144, bool openReliableAtOnce = true)
    {
        using var cancel = new CancellationTokenSource(Limit);
        var client = new DataClient(maxMessageSize, openReliableAtOnce);
        _disposables.Add(client);
        var outcome = _sfu.Offer("room", id, new MediaOffer(client.Offer(), [], [], true, true, maySendData));
        Assert.True(outcome.AnswerSdp is not null, outcome.Message);
        Assert.Contains("a=max-message-size:65536", outcome.AnswerSdp);
        await client.ConnectAsync(outcome.AnswerSdp!, cancel.Token);
        return client;
    }

    private static Task UntilAsync(Func<bool> condition, string what) =>
        ReceivedPackets.Until(condition, new CancellationTokenSource(Limit).Token, () => what);

    [Fact]
    public async Task A_message_reaches_everyone_else_with_the_sender_the_server_knows_its_topic_and_its_payload()
    {
        var (ann, ben, cat) = (await JoinAsync("ann"), await JoinAsync("ben"), await JoinAsync("cat"));

        Assert.Equal(SctpSendResult.Queued, ann.SendMessage("chat", "hello ✓"u8.ToArray(), text: true, claimSender: false));
        Assert.Equal(SctpSendResult.Queued, ann.SendMessage("cursor", [1, 2, 3], reliable: false));
        Assert.Equal(SctpSendResult.Queued, ann.SendMessage("empty", []));

        foreach (var other in new[] { ben, cat })
        {
            await UntilAsync(() => other.Received.Count >= 3, "three messages");
            var received = other.Received.ToArray();
            Assert.All(received, r => Assert.Equal("ann", r.From));
            var chat = received.Single(r => r.Topic == "chat");
            Assert.True(chat.Frame.Has(Media.Sfu.Data.DataFrameFlags.Text));
            Assert.Equal("hello ✓", Encoding.UTF8.GetString(chat.Payload));
            Assert.True(chat.Reliable);
            var cursor = received.Single(r => r.Topic == "cursor");
            Assert.Equal([1, 2, 3], cursor.Payload);
            Assert.False(cursor.Reliable);
            Assert.Empty(received.Single(r => r.Topic == "empty").Payload);
        }
        await Task.Delay(200);
        Assert.Empty(ann.Received);
    }

    /// <summary>
    /// A browser calls a channel open once it sent DCEP's OPEN, so others' messages can reach the server before the OPEN
    /// does (loss delays it by seconds). They wait for the channel, in order, instead of being dropped.
    /// </summary>
    [Fact]
    public async Task Reliable_messages_that_come_before_a_participants_channel_opens_wait_for_it_in_order()
    {
        var (ann, ben) = (await JoinAsync("ann"), await JoinAsync("ben", openReliableAtOnce: false));

        for (int i = 0; i < 5; i++) Assert.Equal(SctpSendResult.Queued, ann.SendMessage($"early-{i}", [(byte)i]));
        await Task.Delay(500);
        Assert.Empty(ben.Received);
        ben.OpenReliable();

        await UntilAsync(() => ben.Received.Count >= 5, "the five early messages");
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"early-{i}"), ben.Received.Select(r => r.Topic));
        Assert.All(ben.Received, r => Assert.True(r.Reliable));
        Assert.Equal(0, _sfu.Room("room")!.Participant("ben")!.Connection!.Statistics.DataMessagesDropped);
    }

    [Fact]
    public async Task A_message_to_some_reaches_only_them_and_a_forged_sender_is_replaced()
    {
        var (ann, ben, cat) = (await JoinAsync("ann"), await JoinAsync("ben"), await JoinAsync("cat"));

        ann.SendMessage("secret", "for cat"u8.ToArray(), text: true, to: ["cat"]);
        ben.SendMessage("claim", [9], claimSender: true); // its frame names "someone-else" as the only recipient

        await UntilAsync(() => cat.Received.Any(r => r.Topic == "secret"), "cat's message");
        await Task.Delay(300);
        Assert.DoesNotContain(ben.Received, r => r.Topic == "secret");
        Assert.DoesNotContain(ann.Received, r => r.Topic == "claim");
        Assert.DoesNotContain(cat.Received, r => r.Topic == "claim");
        Assert.Equal("ann", cat.Received.Single(r => r.Topic == "secret").From);
    }

    [Fact]
    public async Task Server_code_sees_every_message_including_those_for_it_alone_and_sends_as_the_server()
    {
        var seen = new List<RoomDataMessage>();
        using var subscription = _sfu.Subscribe("room", m => { lock (seen) seen.Add(m); });
        var (ann, ben) = (await JoinAsync("ann"), await JoinAsync("ben"));

        ann.SendMessage("to-server", "ping"u8.ToArray(), text: true, to: []);
        await UntilAsync(() => { lock (seen) return seen.Count == 1; }, "the server's copy");
        lock (seen)
        {
            Assert.Equal(("room", "ann", "to-server", "ping"), (seen[0].Room, seen[0].From, seen[0].Message.Topic, Encoding.UTF8.GetString(seen[0].Message.Payload.Span)));
            Assert.Equal([], seen[0].Message.To);
        }

        var outcome = _sfu.Send("room", new DataMessage("announce", "from the backend"u8.ToArray(), IsText: true));
        Assert.Equal(new DataSendOutcome(2, 0), outcome);
        foreach (var client in new[] { ann, ben })
        {
            await UntilAsync(() => client.Received.Any(r => r.Topic == "announce"), "the server's message");
            Assert.Null(client.Received.Single(r => r.Topic == "announce").From);
        }
        await Task.Delay(200);
        Assert.DoesNotContain(ben.Received, r => r.Topic == "to-server");
        Assert.Equal(new DataSendOutcome(1, 0), _sfu.Send("room", new DataMessage("one", new byte[] { 1 }, To: ["ben"])));
        Assert.Equal(new DataSendOutcome(0, 0), _sfu.Send("no-such-room", new DataMessage("one", new byte[] { 1 })));
    }

    [Fact]
    public async Task Without_the_data_grant_a_participant_receives_but_its_messages_go_nowhere_and_it_is_told()
    {
        var (ann, viewer) = (await JoinAsync("ann"), await JoinAsync("viewer", maySendData: false));

        viewer.SendMessage("chat", "let me in"u8.ToArray(), text: true);
        ann.SendMessage("chat", "hi viewer"u8.ToArray(), text: true);

        await UntilAsync(() => viewer.Received.Any(r => r.IsNotice), "the notice");
        var notice = viewer.Received.First(r => r.IsNotice);
        Assert.Equal(("not-permitted", "you may not send data in this room"), (notice.Topic, Encoding.UTF8.GetString(notice.Payload)));
        await UntilAsync(() => viewer.Received.Any(r => r.Topic == "chat"), "ann's message");
        await Task.Delay(300);
        Assert.Empty(ann.Received);
    }

    [Fact]
    public async Task A_payload_beyond_a_frame_goes_on_its_own_and_one_beyond_what_a_receiver_takes_is_refused_to_the_sender()
    {
        var (ann, ben, small) = (await JoinAsync("ann"), await JoinAsync("ben"), await JoinAsync("small", maxMessageSize: 16384));
        byte[] payload = new byte[60000]; // fits ben's 256 KiB, never small's 16 KiB
        Random.Shared.NextBytes(payload);
        byte[] edge = new byte[16384]; // fits small's limit only without the frame: the payload follows its frame
        Random.Shared.NextBytes(edge);

        ann.SendMessage("big", payload);
        ann.SendMessage("edge", edge);

        await UntilAsync(() => ben.Received.Count(r => r.Topic is "big" or "edge") == 2, "both messages at ben");
        Assert.Equal(payload, ben.Received.Single(r => r.Topic == "big").Payload);
        await UntilAsync(() => small.Received.Any(r => r.Topic == "edge"), "the edge message at small");
        Assert.Equal(edge, small.Received.Single(r => r.Topic == "edge").Payload);
        await UntilAsync(() => ann.Received.Any(r => r.IsNotice), "the notice to the sender");
        var notice = ann.Received.Single(r => r.IsNotice);
        Assert.Equal("message-too-large", notice.Topic);
        Assert.Equal("a message of 60000 bytes is larger than small accept", Encoding.UTF8.GetString(notice.Payload));
        Assert.DoesNotContain(small.Received, r => r.Topic == "big");
    }

    [Fact]
    public async Task A_participant_that_stops_reading_is_warned_then_cut_off_and_nobody_else_misses_a_message()
    {
        var (ann, ben, stalled) = (await JoinAsync("ann"), await JoinAsync("ben"), await JoinAsync("stalled"));
        stalled.Paused = true;
        byte[] chunk = new byte[16 * 1024];
        const int Count = 64; // 1 MiB: four times what the server queues for one participant
        for (int i = 0; i < Count; i++)
        {
            chunk[0] = (byte)i;
            // ann goes no faster than ben reads (8 messages, half the queue, ahead at most): only the one that stopped reading falls behind.
            await UntilAsync(() => ben.Received.Count(r => r.Topic == "file") >= i - 8, $"ben keeping up ({ben.Received.Count(r => r.Topic == "file")} at {i})");
            Assert.Equal(SctpSendResult.Queued, ann.SendMessage("file", chunk));
        }

        await UntilAsync(() => ben.Received.Count(r => r.Topic == "file") == Count, $"every chunk at ben ({ben.Received.Count(r => r.Topic == "file")} of {Count})");
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (byte)i), ben.Received.Where(r => r.Topic == "file").Select(r => r.Payload[0]));
        await UntilAsync(() => { lock (_warnings) return _warnings.Count(w => w.ParticipantId == "stalled") >= 2; }, "two warnings to the stalled participant");
        lock (_warnings)
        {
            var warnings = _warnings.Where(w => w.ParticipantId == "stalled").ToList();
            Assert.All(warnings, w => Assert.Equal(MediaWarningKind.DataBacklog, w.Kind));
            Assert.Contains("messages to you are dropped", warnings[0].Message);
            Assert.Contains("they are closed (Media:Sfu:DataStallTimeout)", warnings[1].Message);
            Assert.DoesNotContain(_warnings, w => w.ParticipantId != "stalled");
        }

        // ben still gets what ann sends after the stalled one was cut off.
        ann.SendMessage("after", [1]);
        await UntilAsync(() => ben.Received.Any(r => r.Topic == "after"), "a message after the cut-off");
    }
}
