using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Switchboard.Turn.Transports;

/// <summary>
/// STUN/TURN over TCP, or over TLS when a certificate is given (RFC 8656 §3.1). Each connection is
/// framed into STUN messages (20-byte header + length) and ChannelData messages (4-byte header + length
/// padded to 4, §12.5); anything else closes the connection.
/// </summary>
public sealed class StreamListener : IAsyncDisposable
{
    /// <summary>How long a connection may stay silent before it has an allocation.</summary>
    private static readonly TimeSpan IdleWithoutAllocation = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan TlsHandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly IClientMessageHandler _handler;
    private readonly SslStreamCertificateContext? _certificate;
    private readonly ILogger _logger;
    private readonly int _maxConnections;
    private readonly CancellationTokenSource _stopping = new();
    // Taken once: connections still being served after DisposeAsync read the token of a disposed source.
    private readonly CancellationToken _stoppingToken;
    private Task _acceptLoop = Task.CompletedTask;
    private int _connections;
    private int _disposed;

    public StreamListener(IPEndPoint endPoint, IClientMessageHandler handler, SslStreamCertificateContext? certificate, ILogger logger, int maxConnections = 10_000)
    {
        _handler = handler;
        _certificate = certificate;
        _logger = logger;
        _maxConnections = maxConnections;
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
            _ = ServeAsync(client);
        }
    }

    /// <summary>Serves an accepted connection until it ends; closes it at once when the listener is full.</summary>
    private async Task ServeAsync(Socket socket)
    {
        if (Interlocked.Increment(ref _connections) > _maxConnections)
        {
            Interlocked.Decrement(ref _connections);
            socket.Dispose();
            return;
        }
        socket.NoDelay = true;
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        var local = (IPEndPoint)socket.LocalEndPoint!;
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        StreamClientConnection? connection = null;
        try
        {
            if (_certificate is not null)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stoppingToken);
                handshake.CancelAfter(TlsHandshakeTimeout);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = _certificate }, handshake.Token).ConfigureAwait(false);
            }
            connection = new StreamClientConnection(Transport, remote, local, stream);
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
            if (connection is not null && connection.HandOver is null) _handler.HandleClosed(connection);
            if (connection?.HandOver is null) await stream.DisposeAsync().ConfigureAwait(false);
            Interlocked.Decrement(ref _connections);
        }
    }

    private async Task ReadMessagesAsync(StreamClientConnection connection, Stream stream)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stoppingToken);
        while (true)
        {
            if (connection.Allocation is null) idle.CancelAfter(IdleWithoutAllocation);
            else idle.CancelAfter(Timeout.InfiniteTimeSpan);
            var result = await reader.ReadAsync(idle.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            while (StreamFraming.TryReadMessage(ref buffer, out var message))
            {
                Dispatch(connection, message);
                if (connection.HandOver is { } handOver)
                {
                    // RFC 6062 §5.4: after ConnectionBind the connection carries raw peer data.
                    var leftover = buffer.ToArray();
                    reader.AdvanceTo(buffer.End);
                    await reader.CompleteAsync().ConfigureAwait(false);
                    await handOver(stream, leftover).ConfigureAwait(false);
                    return;
                }
            }
            if (StreamFraming.IsInvalid(buffer))
            {
                _logger.LogDebug("Closing {Connection}: not STUN or ChannelData", connection);
                return;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) return;
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

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping.Cancel();
        _socket.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        _stopping.Dispose();
    }
}

/// <summary>A TCP or TLS client connection; writes are serialized because relay loops and requests both send.</summary>
internal sealed class StreamClientConnection(ClientTransport transport, IPEndPoint remote, IPEndPoint local, Stream stream)
    : ClientConnection(transport, remote, local)
{
    private readonly Lock _writeLock = new();
    private volatile bool _closed;

    /// <summary>Set by the handler to take the raw stream over after the current message (RFC 6062 data connections).</summary>
    public Func<Stream, byte[], Task>? HandOver { get; set; }

    public override void Send(ReadOnlySpan<byte> message)
    {
        if (_closed) return;
        try
        {
            lock (_writeLock) stream.Write(message);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
            Close();
        }
    }

    public override void Close()
    {
        _closed = true;
        stream.Dispose();
    }
}
