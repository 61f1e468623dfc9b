using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Switchboard.Turn.Transports;

/// <summary>
/// STUN/TURN over TCP, or over TLS when a certificate is given (RFC 8656 §3.1). Each connection is framed into STUN
/// messages (20-byte header + length) and ChannelData messages (4-byte header + length padded to 4, §12.5); anything
/// else closes the connection. What a connection may cost is bounded (<see cref="StreamListenerSettings"/>): connections
/// per source, a send queue the client must keep reading, a deadline for each message, and one for getting an allocation.
/// </summary>
public sealed class StreamListener : IAsyncDisposable
{
    private static readonly TimeSpan TlsHandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long the messages still queued for a closing connection may take to go out.</summary>
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private readonly IClientMessageHandler _handler;
    private readonly SslStreamCertificateContext? _certificate;
    private readonly ILogger _logger;
    private readonly StreamListenerSettings _settings;
    private readonly CancellationTokenSource _stopping = new();
    // Taken once: connections still being served after DisposeAsync read the token of a disposed source.
    private readonly CancellationToken _stoppingToken;
    private Task _acceptLoop = Task.CompletedTask;
    private int _connections;
    private int _disposed;

    public StreamListener(IPEndPoint endPoint, IClientMessageHandler handler, SslStreamCertificateContext? certificate, ILogger logger,
        StreamListenerSettings? settings = null)
    {
        _handler = handler;
        _certificate = certificate;
        _logger = logger;
        _settings = settings ?? new StreamListenerSettings();
        _stoppingToken = _stopping.Token;
        _socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (endPoint.AddressFamily == AddressFamily.InterNetworkV6) _socket.DualMode = false;
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(endPoint);
        _socket.Listen(512);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }
    public ClientTransport Transport => _certificate is null ? ClientTransport.Tcp : ClientTransport.Tls;
    public int ConnectionCount => Volatile.Read(ref _connections);

    public void Start() => _acceptLoop = AcceptLoopAsync();

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try { client = await _socket.AcceptAsync(_stoppingToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            try { Admit(client); }
            catch (Exception e)
            {
                client.Dispose();
                _logger.LogError(e, "Accepting a connection on {EndPoint} failed", LocalEndPoint);
            }
        }
    }

    private void Admit(Socket client)
    {
        var remote = (IPEndPoint)client.RemoteEndPoint!;
        if (Interlocked.Increment(ref _connections) > _settings.MaxConnections)
        {
            Interlocked.Decrement(ref _connections);
            Refuse(client, remote, "max_connections");
            return;
        }
        if (!_settings.Sources.TryAcquire(remote.Address))
        {
            Interlocked.Decrement(ref _connections);
            Refuse(client, remote, "per_source_limit");
            return;
        }
        _ = ServeAsync(client, remote);
    }

    private void Refuse(Socket client, IPEndPoint remote, string reason)
    {
        client.Dispose();
        Closed(reason);
        _logger.LogDebug("Refused a connection from {Remote} on {EndPoint}: {Reason}", remote, LocalEndPoint, reason);
    }

    internal void Closed(string reason) => _settings.Metrics?.ConnectionClosed(reason);

    private async Task ServeAsync(Socket socket, IPEndPoint remote)
    {
        Stream? stream = null;
        StreamClientConnection? connection = null;
        try
        {
            socket.NoDelay = true;
            var local = (IPEndPoint)socket.LocalEndPoint!;
            stream = new NetworkStream(socket, ownsSocket: true);
            if (_certificate is not null)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stoppingToken);
                handshake.CancelAfter(TlsHandshakeTimeout);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = _certificate }, handshake.Token).ConfigureAwait(false);
            }
            connection = new StreamClientConnection(this, Transport, remote, local, stream, _settings.SendQueueBytes);
            await ReadMessagesAsync(connection, stream).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            _logger.LogDebug("Connection from {Remote} ended: {Error}", remote, e.Message);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Connection from {Remote} failed", remote);
        }
        finally
        {
            if (connection is not null && connection.HandOver is null)
            {
                _handler.HandleClosed(connection);
                await connection.FlushAsync(FlushTimeout).ConfigureAwait(false);
            }
            if (connection?.HandOver is null)
            {
                if (stream is not null) await stream.DisposeAsync().ConfigureAwait(false);
                else socket.Dispose();
            }
            _settings.Sources.Release(remote.Address);
            Interlocked.Decrement(ref _connections);
        }
    }

    private async Task ReadMessagesAsync(StreamClientConnection connection, Stream stream)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stoppingToken);
        connection.StartDeadlines(deadline, _settings.AllocateWithin, _settings.MessageTimeout);
        while (true)
        {
            ReadResult result;
            try { result = await reader.ReadAsync(deadline.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
            {
                string reason = connection.ExpiredDeadline();
                Closed(reason);
                _logger.LogDebug("Closing {Connection}: {Reason}", connection, reason);
                return;
            }
            var buffer = result.Buffer;
            bool consumed = false;
            while (StreamFraming.TryReadMessage(ref buffer, out var message))
            {
                consumed = true;
                Dispatch(connection, message);
                if (connection.HandOver is { } handOver)
                {
                    // RFC 6062 §5.4: after ConnectionBind the connection carries raw peer data, once the success is out.
                    connection.StopDeadlines();
                    var leftover = buffer.ToArray();
                    reader.AdvanceTo(buffer.End);
                    await reader.CompleteAsync().ConfigureAwait(false);
                    await connection.FlushAsync(FlushTimeout).ConfigureAwait(false);
                    await handOver(stream, leftover).ConfigureAwait(false);
                    return;
                }
            }
            if (StreamFraming.IsInvalid(buffer))
            {
                _logger.LogDebug("Closing {Connection}: not STUN or ChannelData", connection);
                Closed("invalid");
                return;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) return;
            connection.AfterRead(partial: buffer.Length > 0, newMessage: consumed);
        }
    }

    private void Dispatch(StreamClientConnection connection, ReadOnlySequence<byte> message)
    {
        try
        {
            if (message.IsSingleSegment)
            {
                _handler.HandleMessage(connection, message.FirstSpan);
                return;
            }
            var rented = ArrayPool<byte>.Shared.Rent((int)message.Length);
            try
            {
                message.CopyTo(rented);
                _handler.HandleMessage(connection, rented.AsSpan(0, (int)message.Length));
            }
            finally { ArrayPool<byte>.Shared.Return(rented); }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Message from {Client} failed", connection);
        }
    }

    internal void LogDropped(StreamClientConnection connection) =>
        _logger.LogDebug("Closing {Connection}: it stopped reading and its send queue is full", connection);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping.Cancel();
        _socket.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        _stopping.Dispose();
    }
}
