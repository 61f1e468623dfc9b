using System.Net.WebSockets;

namespace Switchboard.Bench;

/// <summary>Reads one whole WebSocket message, however many frames it comes in.</summary>
public static class WebSocketMessage
{
    /// <summary>The message in <c>Buffer</c> (grown when it does not fit: keep the one returned) and its type.</summary>
    public static async Task<(byte[] Buffer, int Length, WebSocketMessageType Type)> ReceiveAsync(WebSocket socket, byte[] buffer)
    {
        int length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
            length += result.Count;
        } while (!result.EndOfMessage);
        return (buffer, length, result.MessageType);
    }
}
