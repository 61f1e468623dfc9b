namespace Switchboard.Protocols.DataChannels;

/// <summary>What a <see cref="DataChannelEndpoint"/> reports, from inside the call that fed it a packet or the time.</summary>
public interface IDataChannelListener
{
    /// <summary>The SCTP association is up: channels can be opened and negotiated ones used.</summary>
    void OnEstablished();

    /// <summary>The peer opened a channel (DATA_CHANNEL_OPEN), or acknowledged one this side opened.</summary>
    void OnChannelOpen(DataChannel channel);

    /// <summary>A whole message; <paramref name="isText"/> for UTF-8 text (PPID 51/56), else binary. May be empty.</summary>
    void OnMessage(DataChannel channel, byte[] data, bool isText);

    /// <summary>The channel's stream was reset (by either side): it is closed and its id free again.</summary>
    void OnChannelClosed(DataChannel channel);

    /// <summary>What waits to be sent or acknowledged fell below the association's low-water mark.</summary>
    void OnBufferedAmountLow();

    /// <summary>The association ended (once); every channel is closed with it.</summary>
    void OnClosed(string reason);
}
