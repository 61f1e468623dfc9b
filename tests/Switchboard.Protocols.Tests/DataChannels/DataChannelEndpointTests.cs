using Switchboard.Protocols.DataChannels;
using Switchboard.Protocols.Sctp;

namespace Switchboard.Protocols.Tests.DataChannels;

/// <summary>
/// Two <see cref="DataChannelEndpoint"/>s (a DTLS client and a server) over their SCTP associations, packets handed
/// across in memory on a simulated clock: DCEP OPEN/ACK, negotiated channels, text and binary with their PPIDs (empty
/// ones too), and closing by stream reset from either side.
/// </summary>
public class DataChannelEndpointTests
{
    private sealed class Side : IDataChannelListener
    {
        public DataChannelEndpoint Endpoint = null!;
        public readonly List<DataChannel> Opened = [];
        public readonly List<(DataChannel Channel, byte[] Data, bool IsText)> Messages = [];
        public readonly List<DataChannel> ClosedChannels = [];
        public bool Established;

        public void OnEstablished() => Established = true;
        public void OnChannelOpen(DataChannel channel) => Opened.Add(channel);
        public void OnMessage(DataChannel channel, byte[] data, bool isText) => Messages.Add((channel, data, isText));
        public void OnChannelClosed(DataChannel channel) => ClosedChannels.Add(channel);
        public void OnBufferedAmountLow() { }
        public void OnClosed(string reason) { }
    }

    private sealed class Pair
    {
        private readonly Queue<(Side To, byte[] Packet)> _wire = new();
        public readonly Side Client = new(), Server = new();
        public long Now;

        public Pair()
        {
            Client.Endpoint = new DataChannelEndpoint(new SctpOptions(), isDtlsClient: true, p => _wire.Enqueue((Server, p.ToArray())), Client);
            Server.Endpoint = new DataChannelEndpoint(new SctpOptions(), isDtlsClient: false, p => _wire.Enqueue((Client, p.ToArray())), Server);
            Client.Endpoint.Association.Connect(Now);
            Run();
            Assert.True(Client.Established && Server.Established);
        }

        /// <summary>Delivers packets (1 ms each) and runs timers until nothing is left for a second of simulated time.</summary>
        public void Run()
        {
            long quietUntil = Now + 1000;
            while (Now < quietUntil)
            {
                Now++;
                if (_wire.Count > 0)
                {
                    var (to, packet) = _wire.Dequeue();
                    to.Endpoint.Receive(packet, Now);
                    quietUntil = Now + 1000;
                }
                Client.Endpoint.OnTimer(Now);
                Server.Endpoint.OnTimer(Now);
            }
        }
    }

    [Fact]
    public void A_channel_opened_in_band_is_acknowledged_and_carries_text_binary_and_empty_messages_both_ways()
    {
        var pair = new Pair();
        var channel = pair.Client.Endpoint.Open("chat", "switchboard-data/1", DataChannelReliability.Reliable, pair.Now)!;
        Assert.Equal(0, channel.Id); // the DTLS client's ids are even
        Assert.False(channel.IsOpen);
        pair.Run();

        Assert.True(channel.IsOpen);
        Assert.Equal([channel], pair.Client.Opened);
        var remote = Assert.Single(pair.Server.Opened);
        Assert.Equal((0, "chat", "switchboard-data/1", false), (remote.Id, remote.Label, remote.Protocol, remote.Negotiated));

        pair.Client.Endpoint.Send(channel, "héllo"u8, isText: true, pair.Now);
        pair.Client.Endpoint.Send(channel, [1, 2, 3], isText: false, pair.Now);
        pair.Client.Endpoint.Send(channel, [], isText: true, pair.Now);
        pair.Client.Endpoint.Send(channel, [], isText: false, pair.Now);
        pair.Server.Endpoint.Send(remote, "back"u8, isText: true, pair.Now);
        pair.Run();

        Assert.Equal([("héllo", true), ("\u0001\u0002\u0003", false), ("", true), ("", false)],
            pair.Server.Messages.Select(m => (System.Text.Encoding.UTF8.GetString(m.Data), m.IsText)));
        Assert.Equal("back", System.Text.Encoding.UTF8.GetString(Assert.Single(pair.Client.Messages).Data));

        var serverOpened = pair.Server.Endpoint.Open("from-server", "", DataChannelReliability.Lossy, pair.Now)!;
        Assert.Equal(1, serverOpened.Id); // the server's ids are odd
        pair.Run();
        Assert.Equal(DataChannelReliability.Lossy, pair.Client.Opened.Single(c => c.Label == "from-server").Reliability);
    }

    [Fact]
    public void Negotiated_channels_need_no_dcep_and_messages_on_unknown_streams_or_with_unknown_ppids_are_dropped()
    {
        var pair = new Pair();
        var client = pair.Client.Endpoint.Negotiate(7, "game", "", DataChannelReliability.Lossy);
        var server = pair.Server.Endpoint.Negotiate(7, "game", "", DataChannelReliability.Lossy);
        Assert.True(client.IsOpen && server.IsOpen);
        Assert.Throws<InvalidOperationException>(() => pair.Server.Endpoint.Negotiate(7, "again", "", DataChannelReliability.Reliable));

        pair.Client.Endpoint.Send(client, [42], isText: false, pair.Now);
        pair.Client.Endpoint.Association.Send(9, DataChannelPpid.Binary, [1], default, pair.Now); // no channel on stream 9
        pair.Client.Endpoint.Association.Send(7, 52, [1], default, pair.Now); // a deprecated PPID
        pair.Client.Endpoint.Association.Send(7, DataChannelPpid.Dcep, [0x09], default, pair.Now); // not a DCEP message
        pair.Run();

        Assert.Equal([42], Assert.Single(pair.Server.Messages).Data);
        Assert.Empty(pair.Server.Opened);
        Assert.Equal(3, pair.Server.Endpoint.DroppedMessages);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Closing_resets_the_stream_both_ways_and_frees_the_id(bool clientCloses)
    {
        var pair = new Pair();
        var channel = pair.Client.Endpoint.Open("doc", "", DataChannelReliability.Reliable, pair.Now)!;
        pair.Run();
        var remote = pair.Server.Opened.Single();
        var closer = clientCloses ? pair.Client : pair.Server;
        closer.Endpoint.Close(clientCloses ? channel : remote, pair.Now);
        Assert.Equal(SctpSendResult.Closed, closer.Endpoint.Send(clientCloses ? channel : remote, [1], false, pair.Now));
        pair.Run();

        Assert.Single(pair.Client.ClosedChannels);
        Assert.Single(pair.Server.ClosedChannels);
        Assert.Empty(pair.Client.Endpoint.Channels);
        Assert.Empty(pair.Server.Endpoint.Channels);

        // The id is free again: a channel opened on it starts over (stream sequence numbers from 0).
        var again = pair.Client.Endpoint.Open("doc-2", "", DataChannelReliability.Reliable, pair.Now)!;
        pair.Run();
        pair.Client.Endpoint.Send(again, "fresh"u8, isText: true, pair.Now);
        pair.Run();
        Assert.Equal("fresh", System.Text.Encoding.UTF8.GetString(pair.Server.Messages.Last().Data));
        Assert.Equal("doc-2", pair.Server.Messages.Last().Channel.Label);
    }
}
