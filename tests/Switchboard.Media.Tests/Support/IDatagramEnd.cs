using System.Net;

namespace Switchboard.Media.Tests.Support;

/// <summary>One end of a datagram path a test engine talks over: the in-memory link, a UDP socket, or an ICE-TCP connection.</summary>
public interface IDatagramEnd
{
    /// <summary>Sends a copy of the datagram; never blocks and never calls a handler.</summary>
    void Send(ReadOnlySpan<byte> datagram);

    /// <summary>Called with the source address and each datagram that arrives.</summary>
    Action<IPEndPoint, byte[]>? Receive { get; set; }
}
