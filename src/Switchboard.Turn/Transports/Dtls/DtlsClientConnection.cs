using System.Net;

namespace Switchboard.Turn.Transports.Dtls;

/// <summary>
/// One client of a <see cref="DtlsListener"/> after its DTLS handshake: each application-data record it sends is one
/// message for <see cref="IClientMessageHandler.HandleMessage"/>, and each <see cref="Send"/> is one record.
/// </summary>
/// <remarks>
/// The session outlives allocations: a client may allocate again over the same association. It ends with a
/// close_notify or fatal alert from the client, <see cref="Close"/>, or when it has been without an allocation for the
/// listener's <see cref="DtlsListenerSettings.AllocateWithin"/>, whatever it sends meanwhile; then <see cref="IClientMessageHandler.HandleClosed"/> follows
/// once, on a thread-pool thread.
/// </remarks>
public sealed class DtlsClientConnection : ClientConnection
{
    private readonly DtlsSession _session;

    internal DtlsClientConnection(DtlsSession session, IPEndPoint remote, IPEndPoint local, string protocolVersion,
        int cipherSuite)
        : base(ClientTransport.Dtls, remote, local)
    {
        _session = session;
        ProtocolVersion = protocolVersion;
        CipherSuite = cipherSuite;
    }

    /// <summary><see cref="Environment.TickCount64"/> since when the client has had no allocation: its handshake, or its allocation's end.</summary>
    internal long UnallocatedSince { get; private set; } = Environment.TickCount64;

    protected internal override void OnAllocationEnded() => UnallocatedSince = Environment.TickCount64;

    /// <summary>The negotiated version, e.g. "DTLS 1.2".</summary>
    public string ProtocolVersion { get; }

    /// <summary>IANA number of the negotiated cipher suite (e.g. 0xC02B, ECDHE-ECDSA-AES128-GCM-SHA256).</summary>
    public int CipherSuite { get; }

    /// <summary>A record's plaintext (2^14 bytes).</summary>
    public override int MaxMessageLength => DtlsSession.MaxPlaintext;

    /// <summary>Encrypts the message as one record in one datagram. Dropped if larger than a record can carry.</summary>
    public override void Send(ReadOnlySpan<byte> message) => _session.Send(message);

    /// <summary>Sends close_notify and forgets the client.</summary>
    public override void Close() => _session.Close();
}
