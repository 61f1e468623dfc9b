using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Switchboard.Turn.Certificates;

namespace Switchboard.Turn.Transports.Dtls;

/// <summary>
/// TURN over DTLS (RFC 7350): one UDP socket, one DTLS session per client address. A single receive loop reads every
/// datagram, answers new ClientHellos with a stateless HelloVerifyRequest cookie (putting fragmented ClientHellos
/// together first, within bounds), runs each handshake whose cookie checks out on a thread of its own (bounded by
/// the handshake timeout and <see cref="DtlsListenerSettings.MaxHandshakes"/>), and decrypts established clients'
/// records itself, passing each plaintext datagram to <see cref="IClientMessageHandler.HandleMessage"/>.
/// </summary>
public sealed class DtlsListener : IAsyncDisposable
{
    private const int ReceiveBufferSize = 1 << 16;
    private const int SocketReceiveBufferSize = 1 << 20;
    private static readonly TimeSpan CookieSecretLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Extra time past the handshake timeout before a handshake still running is aborted.</summary>
    private static readonly TimeSpan HandshakeGrace = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private readonly IClientMessageHandler _handler;
    private readonly ConcurrentDictionary<SocketAddress, DtlsSession> _sessions = new();
    private readonly HelloCookieVerifier _cookies;
    private readonly SourceConnectionLimiter _sources;
    private readonly ClientHelloReassembler _reassembler = new();
    private readonly IPEndPoint _endPointFactory;
    private readonly TimeSpan _sweepInterval;
    private readonly CancellationTokenSource _stopping = new();
    private Task _receiveLoop = Task.CompletedTask;
    private Task _sweepLoop = Task.CompletedTask;
    private int _started;
    private int _disposed;
    private int _clients;
    private int _handshakes;
    private long _datagramsDropped;
    private long _datagramsWithoutApplicationData;

    /// <summary>Binds the UDP socket; <see cref="Start"/> begins receiving.</summary>
    public DtlsListener(IPEndPoint endPoint, ServerCertificate certificate, IClientMessageHandler handler, ILogger logger,
        DtlsListenerSettings? settings = null)
    {
        Settings = settings ?? new DtlsListenerSettings();
        Settings.Validate();
        Certificate = certificate;
        Logger = logger;
        _handler = handler;
        _cookies = new HelloCookieVerifier(new BcTlsCrypto(), CookieSecretLifetime);
        _sources = new SourceConnectionLimiter(Settings.MaxClientsPerSource);
        TimeSpan shortest = Settings.HandshakeTimeout < Settings.AllocateWithin ? Settings.HandshakeTimeout : Settings.AllocateWithin;
        _sweepInterval = TimeSpan.FromMilliseconds(Math.Clamp(shortest.TotalMilliseconds / 4, 50, 5000));

        _socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
                _socket.DualMode = false; // "::" and "0.0.0.0" get listeners of their own
            try
            {
                _socket.ReceiveBufferSize = SocketReceiveBufferSize;
            }
            catch (SocketException)
            {
                // The system's limit applies.
            }
            _socket.Bind(endPoint);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _endPointFactory = LocalEndPoint;
    }

    /// <summary>The bound address (with the actual port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Clients handshaking or established.</summary>
    public int ClientCount => Volatile.Read(ref _clients);

    /// <summary>Handshakes in progress.</summary>
    public int HandshakeCount => Volatile.Read(ref _handshakes);

    internal DtlsListenerSettings Settings { get; }
    internal ServerCertificate Certificate { get; }
    internal ILogger Logger { get; }
    internal long HelloVerifyRequestsSent => _cookies.VerifyRequestsSent;
    internal long DatagramsDropped => Interlocked.Read(ref _datagramsDropped);

    /// <summary>Datagrams of established clients that held no application data (alerts, retransmissions, junk).</summary>
    internal long DatagramsWithoutApplicationData => Interlocked.Read(ref _datagramsWithoutApplicationData);

    internal void CountDatagramWithoutApplicationData() => Interlocked.Increment(ref _datagramsWithoutApplicationData);

    /// <summary>Starts the receive loop and the timer that ends stalled handshakes and idle sessions.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
            throw new InvalidOperationException("The listener has already been started.");
        _receiveLoop = Task.Run(ReceiveLoopAsync);
        _sweepLoop = Task.Run(SweepLoopAsync);
        Logger.LogInformation("TURN DTLS listener on {EndPoint}", LocalEndPoint);
    }

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferSize, pinned: true);
        byte[] plaintext = new byte[DtlsSession.MaxPlaintext];
        var address = new SocketAddress(_socket.AddressFamily);
        while (!_stopping.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, address, _stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
                // ConnectionReset (an ICMP error on Windows), MessageSize and the like concern one datagram.
                if (_stopping.IsCancellationRequested)
                    break;
                Logger.LogDebug("DTLS listener {EndPoint}: receive failed: {Error}", LocalEndPoint, e.SocketErrorCode);
                continue;
            }

            try
            {
                OnDatagram(address, buffer, received, plaintext);
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref _datagramsDropped);
                Logger.LogWarning(e, "DTLS listener {EndPoint}: dropped a datagram from {Remote}", LocalEndPoint,
                    _endPointFactory.Create(address));
            }
        }
    }

    private void OnDatagram(SocketAddress address, byte[] buffer, int length, byte[] plaintext)
    {
        ReadOnlyMemory<byte> datagram = buffer.AsMemory(0, length);
        ClientHelloKind hello = ClientHello.Inspect(datagram.Span);
        if (_sessions.TryGetValue(address, out DtlsSession? session))
        {
            // A ClientHello to an established session is a client starting over (it lost its state and kept its
            // port): only a valid cookie, which proves the address, replaces the session (RFC 6347 §4.2.8).
            // A handshake in progress gets its ClientHellos: they are retransmissions.
            if (hello != ClientHelloKind.None && session.Connection is not null)
            {
                DtlsRequest? restart = VerifyCookie(address, hello, buffer, length);
                if (restart is not null)
                {
                    session.Close();
                    TryStartSession(address, restart);
                }
                return;
            }
            session.OnDatagram(datagram, plaintext);
            return;
        }

        if (hello == ClientHelloKind.None)
        {
            Interlocked.Increment(ref _datagramsDropped);
            return;
        }
        DtlsRequest? request = VerifyCookie(address, hello, buffer, length);
        if (request is not null)
            TryStartSession(address, request);
    }

    /// <summary>
    /// The request to start a handshake with when the ClientHello (whole, or completed by this fragment) carries a
    /// valid cookie; otherwise null, after answering a well-formed ClientHello with a HelloVerifyRequest.
    /// </summary>
    private DtlsRequest? VerifyCookie(SocketAddress address, ClientHelloKind hello, byte[] buffer, int length)
    {
        if (hello == ClientHelloKind.Fragment)
        {
            byte[]? whole = _reassembler.Add(address, buffer.AsSpan(0, length));
            if (whole is null)
                return null;
            buffer = whole;
            length = whole.Length;
        }
        byte[] clientId = address.Buffer.Span[..address.Size].ToArray();
        return _cookies.Verify(clientId, buffer, length, reply => SendTo(reply, address));
    }

    private void TryStartSession(SocketAddress address, DtlsRequest request)
    {
        if (Volatile.Read(ref _clients) >= Settings.MaxClients)
        {
            Interlocked.Increment(ref _datagramsDropped);
            Logger.LogDebug("DTLS listener {EndPoint}: client limit {Limit} reached", LocalEndPoint, Settings.MaxClients);
            return;
        }
        if (Interlocked.Increment(ref _handshakes) > Settings.MaxHandshakes)
        {
            Interlocked.Decrement(ref _handshakes);
            Interlocked.Increment(ref _datagramsDropped);
            Logger.LogDebug("DTLS listener {EndPoint}: handshake limit {Limit} reached", LocalEndPoint, Settings.MaxHandshakes);
            return;
        }

        var key = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(key.Buffer.Span);
        var remote = (IPEndPoint)_endPointFactory.Create(key);
        if (!_sources.TryAcquire(remote.Address))
        {
            HandshakeEnded();
            Interlocked.Increment(ref _datagramsDropped);
            Logger.LogDebug("DTLS listener {EndPoint}: {Remote} has {Limit} clients already", LocalEndPoint, remote, Settings.MaxClientsPerSource);
            return;
        }
        var session = new DtlsSession(this, key, remote);
        if (!_sessions.TryAdd(key, session))
        {
            _sources.Release(remote.Address);
            HandshakeEnded();
            return;
        }
        Interlocked.Increment(ref _clients);
        session.StartHandshake(request);
    }

    internal void SendTo(ReadOnlySpan<byte> datagram, SocketAddress address)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, address);
        }
        catch (SocketException e)
        {
            // Like a lost datagram: DTLS retransmits handshakes, TURN clients retry requests.
            Logger.LogDebug("DTLS listener {EndPoint}: send failed: {Error}", LocalEndPoint, e.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    internal void Deliver(DtlsClientConnection connection, ReadOnlySpan<byte> message)
    {
        try
        {
            _handler.HandleMessage(connection, message);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Handling a message from {Connection} failed", connection);
        }
    }

    internal void HandshakeEnded() => Interlocked.Decrement(ref _handshakes);

    /// <summary>Called once per session when it ends; an established one is reported to the handler.</summary>
    internal void Forget(DtlsSession session, DtlsClientConnection? connection)
    {
        if (_sessions.TryRemove(new KeyValuePair<SocketAddress, DtlsSession>(session.Address, session)))
        {
            Interlocked.Decrement(ref _clients);
            _sources.Release(session.Remote.Address);
        }
        if (connection is null)
            return;
        Logger.LogDebug("DTLS session with {Remote} closed", connection.RemoteEndPoint);
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            try
            {
                state.Handler.HandleClosed(state.Connection);
            }
            catch (Exception e)
            {
                state.Logger.LogError(e, "Handling the end of {Connection} failed", state.Connection);
            }
        }, (Handler: _handler, Connection: connection, Logger), preferLocal: false);
    }

    private async Task SweepLoopAsync()
    {
        using var timer = new PeriodicTimer(_sweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                try
                {
                    Sweep();
                }
                catch (Exception e)
                {
                    Logger.LogError(e, "DTLS listener {EndPoint}: sweep failed", LocalEndPoint);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Aborts handshakes past their timeout and closes sessions that have been without an allocation too long.</summary>
    internal void Sweep()
    {
        long now = Environment.TickCount64;
        long handshakeLimit = (long)(Settings.HandshakeTimeout + HandshakeGrace).TotalMilliseconds;
        long allocateWithin = (long)Settings.AllocateWithin.TotalMilliseconds;
        foreach (DtlsSession session in _sessions.Values)
        {
            DtlsClientConnection? connection = session.Connection;
            if (connection is null)
            {
                if (now - session.StartedAt > handshakeLimit)
                {
                    Logger.LogDebug("DTLS handshake with {Remote} overran its timeout", session.Remote);
                    session.Abort();
                }
            }
            else if (connection.Allocation is null && now - connection.UnallocatedSince > allocateWithin)
            {
                Logger.LogDebug("DTLS session with {Remote} has no allocation, closing", session.Remote);
                session.Close();
            }
        }
    }

    /// <summary>Stops receiving, sends close_notify to every established client and closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stopping.Cancel();
        foreach (DtlsSession session in _sessions.Values)
            session.Close();
        _socket.Dispose();
        try
        {
            await Task.WhenAll(_receiveLoop, _sweepLoop).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Logger.LogDebug(e, "DTLS listener {EndPoint} stopped with an error", LocalEndPoint);
        }
        _stopping.Dispose();
    }
}
