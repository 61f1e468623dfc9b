namespace Switchboard.Dtls;

/// <summary>Which side of the DTLS handshake this endpoint takes (RFC 5763 §5: a=setup passive is the server).</summary>
public enum DtlsRole
{
    Server,
    Client,
}
