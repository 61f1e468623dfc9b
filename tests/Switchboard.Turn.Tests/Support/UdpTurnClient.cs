using System.Net;
using System.Net.Sockets;
using System.Text;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;
using Switchboard.Turn.Tests.Server.Support;

namespace Switchboard.Turn.Tests.Support;

/// <summary>
/// A TURN client over a real UDP socket on 127.0.0.1: the long-term credential mechanism (it answers the 401), and
/// what a relayed datagram becomes for it (a Data indication or ChannelData) read back as the peer's bytes.
/// </summary>
internal sealed class UdpTurnClient : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;
    private readonly string _username;
    private readonly string _password;
    private readonly Queue<byte[]> _other = new();
    private string? _realm;
    private string? _nonce;

    public UdpTurnClient(IPEndPoint server, string username, string password)
    {
        _server = server;
        _username = username;
        _password = password;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    /// <summary>The first XOR-RELAYED-ADDRESS of the last successful Allocate.</summary>
    public IPEndPoint? RelayedAddress { get; private set; }

    /// <summary>A UDP allocation; <paramref name="family"/> 0x02 asks for an IPv6 relayed address (RFC 8656 §18.8).</summary>
    public StunResponse Allocate(byte family = 0x01)
    {
        var response = Request(StunMethod.Allocate, r => r.RequestedTransport(TurnAttributes.TransportUdp)
            .AddByteAndReserved(StunAttributeType.RequestedAddressFamily, family));
        if (response.Class == StunClass.SuccessResponse) RelayedAddress = response.GetXorAddress(StunAttributeType.XorRelayedAddress);
        return response;
    }

    public StunResponse CreatePermission(IPEndPoint peer) => Request(StunMethod.CreatePermission, r => r.XorPeerAddress(peer));

    /// <summary>Sends an authenticated request (after a challenge when no nonce is known) and returns its response.</summary>
    public StunResponse Request(StunMethod method, Action<StunRequest> attributes)
    {
        for (int attempt = 0; ; attempt++)
        {
            var request = new StunRequest(method);
            attributes(request);
            if (_nonce is not null)
            {
                request.Insert(0, StunAttributeType.Username, Encoding.UTF8.GetBytes(_username));
                request.Insert(1, StunAttributeType.Realm, Encoding.UTF8.GetBytes(_realm!));
                request.Insert(2, StunAttributeType.Nonce, Encoding.UTF8.GetBytes(_nonce));
                request.IntegrityKey = StunCredentials.LongTermKey(_username, _realm!, _password);
            }
            _socket.SendTo(request.Build(), _server);
            var response = StunResponse.Parse(Next(m => TestClient.IsResponseTo(m, request.TransactionId))
                ?? throw new TimeoutException($"no response to {method}"));
            int code = response.Class == StunClass.ErrorResponse ? response.ErrorCode : 0;
            bool challenge = code is StunErrorCode.Unauthenticated or StunErrorCode.StaleNonce;
            if (!challenge || attempt > 0 && code == StunErrorCode.Unauthenticated) return response;
            _realm = response.GetString(StunAttributeType.Realm);
            _nonce = response.GetString(StunAttributeType.Nonce);
        }
    }

    /// <summary>The peer's bytes of the next Data indication or ChannelData message; null when none comes in time.</summary>
    public byte[]? ReceiveData(TimeSpan? timeout = null)
    {
        var message = Next(m => ChannelData.IsChannelData(m) || StunResponse.IsStun(m) && StunResponse.Parse(m).Method == StunMethod.Data,
            timeout ?? Wait);
        if (message is null) return null;
        if (ChannelData.TryParse(message, out _, out var data)) return data.ToArray();
        return StunResponse.Parse(message).Get(StunAttributeType.Data);
    }

    /// <summary>The first datagram (kept earlier or received now) that matches; the others are kept for later.</summary>
    private byte[]? Next(Func<byte[], bool> match, TimeSpan? timeout = null)
    {
        int kept = _other.Count;
        for (int i = 0; i < kept; i++)
        {
            var message = _other.Dequeue();
            if (match(message)) return message;
            _other.Enqueue(message);
        }
        long deadline = Environment.TickCount64 + (long)(timeout ?? Wait).TotalMilliseconds;
        var buffer = new byte[65536];
        while (true)
        {
            long left = deadline - Environment.TickCount64;
            if (left <= 0 || !_socket.Poll(TimeSpan.FromMilliseconds(left), SelectMode.SelectRead)) return null;
            int length = _socket.Receive(buffer);
            var message = buffer[..length];
            if (match(message)) return message;
            _other.Enqueue(message);
        }
    }

    public void Dispose() => _socket.Dispose();
}
