namespace Switchboard.Protocols.Sctp;
#pragma warning disable
public enum SctpState { Closed, CookieWait, CookieEchoed, Established, ShutdownPending, ShutdownSent, ShutdownReceived, ShutdownAckSent }
public enum SctpSendResult { Queued, MessageTooLarge, QueueFull, NotEstablished, Closed, EmptyMessage }
public readonly record struct SctpSendOptions(bool Unordered = false, int? MaxRetransmits = null, int? LifetimeMillis = null);
public sealed record SctpMessage(ushort StreamId, uint PayloadProtocolId, byte[] Data, bool Unordered);
public interface ISctpAssociationListener
{
    void OnEstablished();
    void OnMessage(SctpMessage message);
    void OnIncomingStreamsReset(IReadOnlyList<ushort> streamIds);
    void OnOutgoingStreamsReset(IReadOnlyList<ushort> streamIds);
    void OnBufferedAmountLow();
    void OnClosed(string reason);
}
public sealed record SctpOptions
{
    public ushort LocalPort { get; init; } = 5000;
    public ushort RemotePort { get; init; } = 5000;
    public int Mtu { get; init; } = 1200;
    public int MaxReceiveMessageSize { get; init; } = 256 * 1024;
    public int RemoteMaxMessageSize { get; init; } = 64 * 1024;
    public uint ReceiveWindow { get; init; } = 1024 * 1024;
    public int MaxSendQueueBytes { get; init; } = 4 * 1024 * 1024;
    public int BufferedAmountLowThreshold { get; init; } = 256 * 1024;
    public ushort OutboundStreams { get; init; } = 1024;
    public ushort MaxInboundStreams { get; init; } = 1024;
    public int RtoInitialMillis { get; init; } = 1000;
    public int RtoMinMillis { get; init; } = 1000;
    public int RtoMaxMillis { get; init; } = 60000;
    public byte[]? CookieSecret { get; init; }
    public Func<uint>? RandomUInt32 { get; init; }
}
public sealed class SctpAssociation
{
    public SctpAssociation(SctpOptions options, Action<ReadOnlySpan<byte>> transmit, ISctpAssociationListener listener) => throw new NotImplementedException();
    public SctpState State => throw new NotImplementedException();
    public void Connect(long nowMillis) => throw new NotImplementedException();
    public void Receive(ReadOnlySpan<byte> packet, long nowMillis) => throw new NotImplementedException();
    public SctpSendResult Send(ushort streamId, uint payloadProtocolId, ReadOnlySpan<byte> data, SctpSendOptions options, long nowMillis) => throw new NotImplementedException();
    public void ResetStreams(IReadOnlyList<ushort> streamIds, long nowMillis) => throw new NotImplementedException();
    public void Shutdown(long nowMillis) => throw new NotImplementedException();
    public void Abort(string reason) => throw new NotImplementedException();
    public long OnTimer(long nowMillis) => throw new NotImplementedException();
    public long NextTimerMillis => throw new NotImplementedException();
    public int BufferedAmount => throw new NotImplementedException();
}
