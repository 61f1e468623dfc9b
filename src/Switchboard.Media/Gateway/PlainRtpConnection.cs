using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Switchboard.Media.Peers;

namespace Switchboard.Media.Gateway;

/// <summary>
/// A participant's media as plain RTP (RFC 3550) on a UDP socket of its own: no ICE, no DTLS-SRTP, RTP and RTCP on one
/// port (RFC 5761). Inbound, packets are taken from the peer's source address, or the first address that sends
/// (symmetric RTP, RFC 4961), from any of its ports (an encoder may send each stream from a socket of its own), and a sender's SSRCs, whatever they are, become the ones the offer signalled for their
/// payload type; outbound, each payload type goes to the address its section names.
/// </summary>
internal sealed class PlainRtpConnection : IMediaConnection
{
    private const int MaxDatagram = 1500;

    private readonly Socket _socket;
    private readonly IMediaPeerHandler _handler;
    private readonly PlainRtpRoutes _routes;
    private readonly IPAddress? _source;
    /// <summary>SSRCs remembered per direction: a sender that keeps changing its SSRC cannot grow them past this.</summary>
    private const int MaxSsrcs = 16;

    // Read on every packet without a lock; written only for an SSRC not seen before.
    private readonly ConcurrentDictionary<uint, uint> _inboundSsrcs = new();
    private readonly ConcurrentDictionary<uint, bool> _outboundVideoSsrcs = new();
    private SocketAddress? _latched;
    private int _closed;

    public PlainRtpConnection(string id, Socket socket, IMediaPeerHandler handler, PlainRtpRoutes routes, IPAddress? source, TimeSpan keyFrameInterval)
    {
        Id = id;
        _socket = socket;
        _handler = handler;
        _routes = routes;
        _source = source;
        KeyFrameIntervalMillis = (long)keyFrameInterval.TotalMilliseconds;
        LocalPort = ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public string Id { get; }

    public int LocalPort { get; }

    /// <summary>How often the timer asks for a key frame of each video stream sent (0: never).</summary>
    public long KeyFrameIntervalMillis { get; }

    public long NextTimerAt;
    public long NextKeyFrameRequestAt;

    public bool IsConnected => !IsClosed;

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    public PeerStatistics Statistics { get; } = new();

    public IMediaPeerHandler Handler => _handler;

    public bool IsDtlsClient => false;

    public bool SendSctp(ReadOnlySpan<byte> packet) => false;

    public bool SendRtp(Span<byte> buffer, int length)
    {
        if (length < 12) return false;
        byte payloadType = (byte)(buffer[1] & 0x7F);
        if (_routes.VideoPayloadTypes.Contains(payloadType))
        {
            uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
            if (!_outboundVideoSsrcs.ContainsKey(ssrc) && _outboundVideoSsrcs.Count < MaxSsrcs) _outboundVideoSsrcs.TryAdd(ssrc, true);
        }
        SocketAddress? to = _routes.Destinations.TryGetValue(payloadType, out var destination) ? destination : Volatile.Read(ref _latched);
        return to is not null && Send(buffer[..length], to);
    }

    public bool SendRtcp(Span<byte> buffer, int length)
    {
        bool sent = false;
        foreach (SocketAddress to in _routes.RtcpDestinations) sent |= Send(buffer[..length], to);
        if (_routes.RtcpDestinations.Count == 0 && Volatile.Read(ref _latched) is { } latched) sent = Send(buffer[..length], latched);
        return sent;
    }

    private bool Send(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        if (IsClosed) return false;
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, to);
            Interlocked.Increment(ref Statistics.PacketsSent);
            Interlocked.Add(ref Statistics.BytesSent, datagram.Length);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>The socket's receive loop, on a thread of its own until the connection closes.</summary>
    public void ReceiveLoop(TimeProvider time)
    {
        byte[] buffer = new byte[MaxDatagram + MediaPeer.ProtectionOverhead];
        var from = new SocketAddress(_socket.AddressFamily);
        SocketAddress? expected = _source is null ? null : new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? _source.MapToIPv6() : _source, 0).Serialize();
        while (!IsClosed)
        {
            int length;
            try { length = _socket.ReceiveFrom(buffer.AsSpan(0, MaxDatagram), SocketFlags.None, from); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (IsClosed) return;
                continue; // ICMP port unreachable from a receiver not yet listening, and the like
            }
            try { OnDatagram(buffer, length, from, expected, time.GetMillis()); }
            catch (Exception)
            {
                Interlocked.Increment(ref Statistics.PacketsDiscarded); // one bad datagram never ends the loop
            }
        }
    }

    private void OnDatagram(byte[] buffer, int length, SocketAddress from, SocketAddress? expected, long nowMillis)
    {
        if (Volatile.Read(ref _latched) is null && (expected is null || SameHost(expected, from))) Interlocked.CompareExchange(ref _latched, CopyOf(from), null);
        if (length < 12 || buffer[0] >> 6 != 2 || Volatile.Read(ref _latched) is not { } latched || !SameHost(latched, from))
        {
            Interlocked.Increment(ref Statistics.PacketsDiscarded);
            return;
        }
        Interlocked.Increment(ref Statistics.PacketsReceived);
        Interlocked.Add(ref Statistics.BytesReceived, length);
        Span<byte> packet = buffer.AsSpan(0, length);
        if ((buffer[1] & 0x7F) is >= 64 and <= 95) // RTCP (RFC 5761 §4)
        {
            RewriteReportSenders(packet);
            _handler.OnRtcp(this, buffer, length, nowMillis);
            return;
        }
        if (!_routes.InboundSsrcs.TryGetValue((byte)(buffer[1] & 0x7F), out uint signalled))
        {
            Interlocked.Increment(ref Statistics.PacketsDiscarded);
            return;
        }
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        if (!_inboundSsrcs.ContainsKey(ssrc) && _inboundSsrcs.Count < MaxSsrcs) _inboundSsrcs.TryAdd(ssrc, signalled);
        BinaryPrimitives.WriteUInt32BigEndian(packet[8..], signalled);
        _handler.OnRtp(this, buffer, length, nowMillis);
    }

    /// <summary>Sender reports name the sender's own SSRC: they are rewritten as its RTP is, for lip sync.</summary>
    private void RewriteReportSenders(Span<byte> compound)
    {
        for (int at = 0; at + 8 <= compound.Length;)
        {
            int words = BinaryPrimitives.ReadUInt16BigEndian(compound[(at + 2)..]);
            if (compound[at + 1] is 200 or 202)
            {
                uint sender = BinaryPrimitives.ReadUInt32BigEndian(compound[(at + 4)..]);
                if (_inboundSsrcs.TryGetValue(sender, out uint signalled)) BinaryPrimitives.WriteUInt32BigEndian(compound[(at + 4)..], signalled);
            }
            at += (words + 1) * 4;
        }
    }

    /// <summary>
    /// A picture loss indication (RFC 4585 §6.3.1) for each video stream this connection sends, as if its receiver had
    /// asked: the SFU passes it to the publisher like any subscriber's.
    /// </summary>
    public void RequestKeyFrames(long nowMillis)
    {
        uint[] ssrcs = [.. _outboundVideoSsrcs.Keys];
        Span<byte> pli = stackalloc byte[12 + MediaPeer.ProtectionOverhead];
        foreach (uint ssrc in ssrcs)
        {
            pli[0] = 0x81; // V=2, FMT=1 (PLI)
            pli[1] = 206;  // PSFB
            BinaryPrimitives.WriteUInt16BigEndian(pli[2..], 2);
            BinaryPrimitives.WriteUInt32BigEndian(pli[4..], 1);
            BinaryPrimitives.WriteUInt32BigEndian(pli[8..], ssrc);
            _handler.OnRtcp(this, pli, 12, nowMillis);
        }
    }

    /// <summary>The same address family and address, whatever the port (bytes 2-3 of a sockaddr).</summary>
    private static bool SameHost(SocketAddress a, SocketAddress b) =>
        a.Size == b.Size && a.Buffer.Span[..2].SequenceEqual(b.Buffer.Span[..2]) && a.Buffer.Span[4..a.Size].SequenceEqual(b.Buffer.Span[4..b.Size]);

    private static SocketAddress CopyOf(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.CopyTo(copy.Buffer);
        return copy;
    }

    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        _socket.Dispose();
        _handler.OnClosed(this, reason);
    }
}
