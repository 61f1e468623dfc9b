using System.Net;
using Switchboard.Turn.Allocations;

namespace Switchboard.Turn.Transports;

/// <summary>The transport protocol between a client and the server (RFC 8656 §3.1).</summary>
public enum ClientTransport { Udp, Tcp, Tls, Dtls }

/// <summary>
/// The client side of a 5-tuple: where requests come from and responses go back to.
/// A listener creates one per client (per remote address for UDP/DTLS, per connection for TCP/TLS)
/// and hands every message it receives to <see cref="IClientMessageHandler"/>.
/// </summary>
public abstract class ClientConnection(ClientTransport transport, IPEndPoint remote, IPEndPoint local)
{
    public ClientTransport Transport { get; } = transport;
    public IPEndPoint RemoteEndPoint { get; } = remote;
    public IPEndPoint LocalEndPoint { get; } = local;

    /// <summary>TCP and TLS carry a byte stream: ChannelData is padded to 4 bytes there (RFC 8656 §12.5).</summary>
    public bool IsStream => Transport is ClientTransport.Tcp or ClientTransport.Tls;

    /// <summary>The allocation on this 5-tuple, if any (RFC 8656 §2.2: at most one).</summary>
    public Allocation? Allocation { get; internal set; }

    /// <summary>The largest message the transport carries to the client; a relayed datagram that would make a larger one is dropped.</summary>
    public virtual int MaxMessageLength => int.MaxValue;

    /// <summary>Sends one STUN message or ChannelData message to the client.</summary>
    public abstract void Send(ReadOnlySpan<byte> message);

    /// <summary>Closes the connection (stream transports); datagram transports forget the client.</summary>
    public abstract void Close();

    /// <summary>Called when this 5-tuple's allocation has ended, so a datagram listener can forget the client.</summary>
    protected internal virtual void OnAllocationEnded() { }

    public override string ToString() => $"{Transport.ToString().ToLowerInvariant()}:{RemoteEndPoint}";
}

/// <summary>What a listener calls for each message it has framed.</summary>
public interface IClientMessageHandler
{
    /// <summary>One STUN message or ChannelData message from the client. The span is valid only during the call.</summary>
    void HandleMessage(ClientConnection connection, ReadOnlySpan<byte> message);

    /// <summary>The connection is gone (stream closed, DTLS closed): its allocation ends.</summary>
    void HandleClosed(ClientConnection connection);
}
