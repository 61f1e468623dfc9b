using Org.BouncyCastle.Tls;

namespace Switchboard.Dtls;

/// <summary>
/// Thrown by <see cref="QueuedDatagramTransport"/> when an established session asks for a datagram and none is queued.
/// </summary>
/// <remarks>
/// BouncyCastle's <c>DtlsTransport.Receive</c> treats a wait of 0 ms as "forever" and keeps asking its transport for
/// datagrams until a record yields application data or the wait runs out: returning -1 would make it spin until then.
/// It lets <see cref="TlsFatalAlertReceived"/> through without failing the record layer (it expects the layer to have
/// failed already when that is thrown), and no layer between catches it, so this subclass ends the call and leaves
/// the session intact. It is thrown only for datagrams that hold no application data (a retransmitted handshake
/// flight, an alert, garbage): after an application record the session reads the rest of the datagram with
/// <c>ReceivePending</c>, which never asks the transport. The DTLS listener tests of TURN cover both paths; a BouncyCastle update
/// that changes this behaviour fails them.
/// </remarks>
public sealed class DatagramQueueDrainedException() : TlsFatalAlertReceived(Org.BouncyCastle.Tls.AlertDescription.close_notify);
