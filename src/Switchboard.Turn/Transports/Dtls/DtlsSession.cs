using System.Buffers;
using System.Net;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Switchboard.Dtls;

namespace Switchboard.Turn.Transports.Dtls;

/// <summary>
/// One client address of a <see cref="DtlsListener"/>: its handshake, run by BouncyCastle on a thread of its own for
/// at most the handshake timeout, then its established session, whose records the receive loop decrypts without any
/// thread waiting for this client.
/// </summary>
internal sealed class DtlsSession
{
    /// <summary>Largest plaintext of one record (2^14).</summary>
    public const int MaxPlaintext = 1 << 14;

    /// <summary>Bound on receive calls per datagram (BouncyCastle returns one record per call).</summary>
    private const int MaxRecordsPerDatagram = 64;

    private readonly DtlsListener _listener;
    private readonly object _receiveLock = new();
    private readonly object _stateLock = new();
    private DtlsTransport? _dtls;
    private DtlsClientConnection? _connection;
    private volatile bool _terminated;
    private int _holdsHandshakeSlot = 1;

    public DtlsSession(DtlsListener listener, SocketAddress address, IPEndPoint remote)
    {
        _listener = listener;
        Address = address;
        Remote = remote;
        Transport = new QueuedDatagramTransport(datagram => listener.SendTo(datagram, address),
            listener.Settings.MaxQueuedDatagrams);
        Transport.Closed += Terminate;
        StartedAt = Environment.TickCount64;
    }

    public SocketAddress Address { get; }
    public IPEndPoint Remote { get; }
    public QueuedDatagramTransport Transport { get; }

    /// <summary><see cref="Environment.TickCount64"/> when the first ClientHello arrived.</summary>
    public long StartedAt { get; }

    /// <summary>The connection once the handshake has completed; null before.</summary>
    public DtlsClientConnection? Connection => Volatile.Read(ref _connection);

    public void StartHandshake(DtlsRequest request) =>
        Task.Factory.StartNew(() => RunHandshake(request), CancellationToken.None,
            TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);

    private void RunHandshake(DtlsRequest request)
    {
        try
        {
            var server = new TurnDtlsServer(new BcTlsCrypto(), _listener.Certificate, _listener.Settings, Remote,
                _listener.Logger);
            DtlsTransport dtls = new DtlsServerProtocol().Accept(server, Transport, request);
            OnEstablished(dtls, server);
        }
        catch (Exception e)
        {
            _listener.Logger.LogDebug("DTLS handshake with {Remote} failed: {Error}", Remote, e.Message);
            Terminate();
        }
        finally
        {
            ReleaseHandshakeSlot();
        }
    }

    private void OnEstablished(DtlsTransport dtls, TurnDtlsServer server)
    {
        lock (_receiveLock)
        {
            var connection = new DtlsClientConnection(this, Remote, _listener.LocalEndPoint,
                server.NegotiatedVersion?.ToString() ?? "DTLS", server.NegotiatedCipherSuite);
            lock (_stateLock)
            {
                if (!_terminated)
                {
                    Volatile.Write(ref _dtls, dtls);
                    Volatile.Write(ref _connection, connection);
                }
            }
            if (_terminated)
            {
                CloseQuietly(dtls);
                return;
            }
            ReleaseHandshakeSlot();
            _listener.Logger.LogDebug("DTLS session with {Remote} established: {Version}, cipher suite 0x{Suite:X4}",
                Remote, connection.ProtocolVersion, connection.CipherSuite);

            // From here the receive loop decrypts this client's datagrams; hand over those that came meanwhile.
            Transport.MarkEstablished();
            if (!Transport.HasPending)
                return;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxPlaintext);
            try
            {
                Decrypt(dtls, buffer);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// A datagram from this client (receive loop): queued while the handshake runs, decrypted at once afterwards.
    /// <paramref name="plaintext"/> is the caller's scratch buffer of at least <see cref="MaxPlaintext"/> bytes.
    /// </summary>
    public void OnDatagram(ReadOnlyMemory<byte> datagram, byte[] plaintext)
    {
        if (Transport.TryQueueForHandshake(datagram.Span))
            return;
        lock (_receiveLock)
        {
            DtlsTransport? dtls = Volatile.Read(ref _dtls);
            if (dtls is null)
                return;
            Transport.SetCurrent(datagram);
            try
            {
                Decrypt(dtls, plaintext);
            }
            finally
            {
                Transport.ClearCurrent();
            }
        }
    }

    /// <summary>Hands every application-data record waiting in the transport to the message handler.</summary>
    private void Decrypt(DtlsTransport dtls, byte[] plaintext)
    {
        for (int i = 0; i < MaxRecordsPerDatagram && !_terminated; i++)
        {
            try
            {
                // Takes at least one datagram from the transport. The wait does not matter: the transport never
                // blocks here, it throws DatagramQueueDrainedException when a datagram held no application data and
                // nothing else is waiting.
                Deliver(dtls.Receive(plaintext, 0, plaintext.Length, 1), plaintext);
                // The other records of the same datagram, if any; -1 (no exception) when there are none.
                for (int j = 0; j < MaxRecordsPerDatagram && !_terminated; j++)
                {
                    int length = dtls.ReceivePending(plaintext, 0, plaintext.Length);
                    if (length < 0)
                        break;
                    Deliver(length, plaintext);
                }
            }
            catch (DatagramQueueDrainedException)
            {
                _listener.CountDatagramWithoutApplicationData();
                return;
            }
            catch (Exception e)
            {
                _listener.Logger.LogDebug("DTLS session with {Remote} ended: {Error}", Remote, e.Message);
                Terminate();
                return;
            }
            if (!Transport.HasPending)
                return;
        }
    }

    private void Deliver(int length, byte[] plaintext)
    {
        DtlsClientConnection? connection = Connection;
        if (length >= 0 && connection is not null && !_terminated)
            _listener.Deliver(connection, plaintext.AsSpan(0, length));
    }

    public void Send(ReadOnlySpan<byte> message)
    {
        DtlsTransport? dtls = Volatile.Read(ref _dtls);
        if (dtls is null || _terminated)
            return;
        try
        {
            if (message.Length > dtls.GetSendLimit())
            {
                _listener.Logger.LogDebug("DTLS {Remote}: dropped a {Length}-byte message, larger than one record",
                    Remote, message.Length);
                return;
            }
            dtls.Send(message);
        }
        catch (Exception e)
        {
            _listener.Logger.LogDebug("DTLS session with {Remote} failed to send: {Error}", Remote, e.Message);
            Terminate();
        }
    }

    /// <summary>Sends close_notify if established, and forgets the client.</summary>
    public void Close()
    {
        DtlsTransport? dtls = Volatile.Read(ref _dtls);
        if (dtls is not null && !_terminated)
            CloseQuietly(dtls);
        Terminate();
    }

    /// <summary>Ends the session at once; a handshake in progress fails on its next receive.</summary>
    public void Abort() => Terminate();

    private void Terminate()
    {
        DtlsClientConnection? connection;
        lock (_stateLock)
        {
            if (_terminated)
                return;
            _terminated = true;
            connection = _connection;
        }
        Transport.Close();
        _listener.Forget(this, connection);
    }

    private void ReleaseHandshakeSlot()
    {
        if (Interlocked.Exchange(ref _holdsHandshakeSlot, 0) == 1)
            _listener.HandshakeEnded();
    }

    private static void CloseQuietly(DtlsTransport dtls)
    {
        try
        {
            dtls.Close();
        }
        catch (Exception)
        {
            // Best effort: the close_notify is a courtesy to the client.
        }
    }
}
