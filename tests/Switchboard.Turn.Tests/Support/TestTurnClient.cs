using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;

namespace Switchboard.Turn.Tests.Support;

/// <summary>Writes a request's own attributes (those before USERNAME, REALM, NONCE and the integrity).</summary>
public delegate void StunAttributeWriter(ref StunMessageWriter writer);

/// <summary>
/// A TURN client over one TCP or TLS connection, written with the project's codec: it answers the 401
/// challenge (and 438 Stale Nonce) of the long-term credential mechanism and signs every request after
/// that. Messages are read exactly, header then body, so after a ConnectionBind <see cref="Stream"/>
/// carries nothing but the peer's bytes. Indications that arrive while a response is awaited are kept
/// for <see cref="WaitForIndicationAsync"/>.
/// </summary>
public sealed class TestTurnClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpClient _tcp;
    private readonly Queue<TestStunMessage> _indications = new();
    private string? _realm;
    private string? _nonce;
    private byte[]? _key;

    private TestTurnClient(TcpClient tcp, Stream stream, string username, string password)
    {
        _tcp = tcp;
        Username = username;
        Password = password;
        Stream = stream;
    }

    public string Username { get; }
    public string Password { get; }

    /// <summary>The connection: STUN messages until a ConnectionBind succeeds, raw peer data after.</summary>
    public Stream Stream { get; }

    /// <summary>The TCP socket under the stream, for tests that shape its buffers.</summary>
    public Socket Socket => _tcp.Client;

    public IPEndPoint LocalEndPoint => (IPEndPoint)_tcp.Client.LocalEndPoint!;

    /// <summary>The XOR-RELAYED-ADDRESS of the last successful Allocate.</summary>
    public IPEndPoint? RelayedAddress { get; private set; }

    /// <param name="tls">TLS over the connection; the server's certificate is not checked.</param>
    /// <param name="receiveBufferSize">The socket's receive buffer, set before connecting (0 leaves the system's).</param>
    /// <param name="localAddress">The source address (another loopback address plays another client's machine).</param>
    public static async Task<TestTurnClient> ConnectAsync(IPEndPoint server, string username = "alice", string password = "secret",
        bool tls = false, int receiveBufferSize = 0, IPAddress? localAddress = null)
    {
        var tcp = localAddress is null ? new TcpClient(server.AddressFamily) : new TcpClient(new IPEndPoint(localAddress, 0));
        tcp.NoDelay = true;
        if (receiveBufferSize > 0) tcp.ReceiveBufferSize = receiveBufferSize;
        await tcp.ConnectAsync(server);
        Stream stream = tcp.GetStream();
        if (tls)
        {
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync("127.0.0.1");
            stream = ssl;
        }
        return new TestTurnClient(tcp, stream, username, password);
    }

    public async Task<TestStunMessage> AllocateAsync(byte transport = TurnAttributes.TransportTcp)
    {
        var response = await RequestAsync(StunMethod.Allocate, (ref StunMessageWriter w) =>
            TurnAttributes.WriteRequestedTransport(w.Reserve(StunAttributeType.RequestedTransport, 4), transport));
        if (response.IsSuccess) RelayedAddress = response.GetXorAddress(StunAttributeType.XorRelayedAddress);
        return response;
    }

    public Task<TestStunMessage> CreatePermissionAsync(IPEndPoint peer) =>
        RequestAsync(StunMethod.CreatePermission, (ref StunMessageWriter w) => w.AddXorAddress(StunAttributeType.XorPeerAddress, peer));

    /// <summary>RFC 6062 §4.3; a success carries CONNECTION-ID.</summary>
    public Task<TestStunMessage> ConnectAsync(IPEndPoint peer) =>
        RequestAsync(StunMethod.Connect, (ref StunMessageWriter w) => w.AddXorAddress(StunAttributeType.XorPeerAddress, peer));

    /// <summary>RFC 6062 §4.4, on a connection of its own; <paramref name="trailing"/> goes out in the same write, right behind the request.</summary>
    public Task<TestStunMessage> ConnectionBindAsync(uint connectionId, ReadOnlyMemory<byte> trailing = default) =>
        RequestAsync(StunMethod.ConnectionBind, (ref StunMessageWriter w) => w.AddUInt32(StunAttributeType.ConnectionId, connectionId), trailing);

    /// <summary>A UDP allocation of an address family (RFC 8656 §18.8 REQUESTED-ADDRESS-FAMILY: 0x01 IPv4, 0x02 IPv6).</summary>
    public async Task<TestStunMessage> AllocateUdpAsync(byte family = 0x01)
    {
        var response = await RequestAsync(StunMethod.Allocate, (ref StunMessageWriter w) =>
        {
            TurnAttributes.WriteRequestedTransport(w.Reserve(StunAttributeType.RequestedTransport, 4), TurnAttributes.TransportUdp);
            var value = w.Reserve(StunAttributeType.RequestedAddressFamily, 4);
            value.Clear();
            value[0] = family;
        });
        if (response.IsSuccess) RelayedAddress = response.GetXorAddress(StunAttributeType.XorRelayedAddress);
        return response;
    }

    public Task<TestStunMessage> RefreshAsync(uint lifetime) =>
        RequestAsync(StunMethod.Refresh, (ref StunMessageWriter w) => w.AddUInt32(StunAttributeType.Lifetime, lifetime));

    /// <summary>
    /// Sends a request and returns its response. Without a nonce yet, the request first goes out
    /// unsigned to learn REALM and NONCE from the 401; a 438 renews the nonce; each is retried once signed.
    /// <paramref name="trailing"/> is sent only with a signed attempt.
    /// </summary>
    public async Task<TestStunMessage> RequestAsync(StunMethod method, StunAttributeWriter? attributes = null, ReadOnlyMemory<byte> trailing = default)
    {
        bool renewed = false;
        while (true)
        {
            bool signed = _nonce is not null;
            var transactionId = StunTransactionId.NewRandom();
            var request = Build(method, attributes, transactionId, signed);
            if (signed && !trailing.IsEmpty) request = [.. request, .. trailing.Span];
            await Stream.WriteAsync(request);
            var response = await ReadResponseAsync(transactionId.ToString());
            int code = response.ErrorCode;
            bool challenge = code == StunErrorCode.Unauthenticated && !signed || code == StunErrorCode.StaleNonce;
            if (!challenge || renewed) return response;
            _realm = response.GetString(StunAttributeType.Realm);
            _nonce = response.GetString(StunAttributeType.Nonce);
            if (_realm is null || _nonce is null) return response;
            _key = StunCredentials.LongTermKey(Username, _realm, Password);
            renewed = code == StunErrorCode.StaleNonce || signed;
        }
    }

    private byte[] Build(StunMethod method, StunAttributeWriter? attributes, StunTransactionId transactionId, bool signed)
    {
        Span<byte> buffer = stackalloc byte[1024];
        var writer = new StunMessageWriter(buffer, new StunMessageType(method, StunClass.Request), transactionId);
        attributes?.Invoke(ref writer);
        if (signed)
        {
            writer.AddString(StunAttributeType.Username, Username);
            writer.AddString(StunAttributeType.Realm, _realm!);
            writer.AddString(StunAttributeType.Nonce, _nonce!);
            writer.AddMessageIntegrity(_key!);
        }
        writer.AddFingerprint();
        return writer.Written.ToArray();
    }

    /// <summary>Reads until the response to <paramref name="transactionId"/> (hex) comes; indications are kept.</summary>
    private async Task<TestStunMessage> ReadResponseAsync(string transactionId)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        while (true)
        {
            var message = await ReadMessageAsync(timeout.Token) ?? throw new IOException("The server closed the connection.");
            if (message.Class == StunClass.Indication) { _indications.Enqueue(message); continue; }
            if (Convert.ToHexStringLower(message.TransactionId) == transactionId) return message;
        }
    }

    /// <summary>The next indication of a method (RFC 6062 ConnectionAttempt, RFC 8656 Data).</summary>
    public async Task<TestStunMessage> WaitForIndicationAsync(StunMethod method, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            while (_indications.TryDequeue(out var queued))
                if (queued.Method == method) return queued;
            var message = await ReadMessageAsync(cancel.Token) ?? throw new IOException("The server closed the connection.");
            if (message.Class == StunClass.Indication) _indications.Enqueue(message);
        }
    }

    /// <summary>One STUN message (ChannelData is skipped); null at the end of the stream.</summary>
    public async Task<TestStunMessage?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var header = new byte[4];
            try { await Stream.ReadExactlyAsync(header, cancellationToken); }
            catch (EndOfStreamException) { return null; }
            int length = (header[2] << 8) | header[3];
            if (ChannelData.IsChannelData(header))
            {
                await Stream.ReadExactlyAsync(new byte[(length + 3) & ~3], cancellationToken);
                continue;
            }
            var message = new byte[StunConstants.HeaderLength + length];
            header.CopyTo(message, 0);
            await Stream.ReadExactlyAsync(message.AsMemory(4), cancellationToken);
            return new TestStunMessage(message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        _tcp.Dispose();
    }
}
