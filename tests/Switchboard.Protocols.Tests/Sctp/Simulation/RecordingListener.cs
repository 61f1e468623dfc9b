using Switchboard.Protocols.Sctp;

namespace Switchboard.Protocols.Tests.Sctp.Simulation;

/// <summary>Keeps everything an association reports, in order.</summary>
public sealed class RecordingListener : ISctpAssociationListener
{
    public int EstablishedCount { get; private set; }
    public List<SctpMessage> Messages { get; } = [];
    public List<ushort[]> IncomingResets { get; } = [];
    public List<ushort[]> OutgoingResets { get; } = [];
    public int BufferedAmountLowCount { get; private set; }
    public List<string> Closed { get; } = [];

    /// <summary>Every event by name, in order ("established", "message:STREAM", "incoming-reset", ...).</summary>
    public List<string> Events { get; } = [];

    /// <summary>Called after a message is recorded (the test may send from it, as an application would).</summary>
    public Action<SctpMessage>? MessageReceived { get; set; }

    public Action? BufferedAmountLow { get; set; }

    public void OnEstablished()
    {
        EstablishedCount++;
        Events.Add("established");
    }

    public void OnMessage(SctpMessage message)
    {
        Messages.Add(message);
        Events.Add($"message:{message.StreamId}");
        MessageReceived?.Invoke(message);
    }

    public void OnIncomingStreamsReset(IReadOnlyList<ushort> streamIds)
    {
        IncomingResets.Add([.. streamIds]);
        Events.Add("incoming-reset");
    }

    public void OnOutgoingStreamsReset(IReadOnlyList<ushort> streamIds)
    {
        OutgoingResets.Add([.. streamIds]);
        Events.Add("outgoing-reset");
    }

    public void OnBufferedAmountLow()
    {
        BufferedAmountLowCount++;
        Events.Add("buffered-amount-low");
        BufferedAmountLow?.Invoke();
    }

    public void OnClosed(string reason)
    {
        Closed.Add(reason);
        Events.Add("closed");
    }
}
