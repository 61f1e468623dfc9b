using System.Collections.Concurrent;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn.Tests.Dtls;

/// <summary>Echoes every message back through ClientConnection.Send, with a few commands for tests.</summary>
internal sealed class EchoHandler : IClientMessageHandler
{
    public static readonly byte[] ThrowCommand = "throw"u8.ToArray();
    public static readonly byte[] OversizeCommand = "oversize"u8.ToArray();

    public ConcurrentDictionary<ClientConnection, int> Messages { get; } = new();
    public ConcurrentQueue<ClientConnection> Closed { get; } = new();

    public void HandleMessage(ClientConnection connection, ReadOnlySpan<byte> message)
    {
        Messages.AddOrUpdate(connection, 1, (_, count) => count + 1);
        if (message.SequenceEqual(ThrowCommand))
            throw new InvalidOperationException("handler failure on purpose");
        if (message.SequenceEqual(OversizeCommand))
            connection.Send(new byte[20_000]);
        connection.Send(message);
    }

    public void HandleClosed(ClientConnection connection) => Closed.Enqueue(connection);

    public ClientConnection SingleConnection() => Assert.Single(Messages.Keys);
}
