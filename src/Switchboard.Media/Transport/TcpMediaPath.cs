using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Switchboard.Protocols.Ice;

namespace Switchboard.Media.Transport;

/// <summary>
/// One passive ICE-TCP connection (RFC 6544): packets framed with RFC 4571 length prefixes both ways. Sends go through
/// a bounded queue to a writer loop, so a peer that stops reading loses packets, not the host's threads.
/// </summary>
internal sealed class TcpMediaPath : MediaPath, IDisposable
{
    private const int MaxQueuedFrames = 1024;

    private readonly Socket _socket;
    private readonly Channel<(byte[] Frame, int Length)> _outgoing =
        Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(MaxQueuedFrames) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    private readonly Action _onDropped;

    public TcpMediaPath(Socket socket, Action onDropped)
    {
        _socket = socket;
        _onDropped = onDropped;
        Remote = socket.RemoteEndPoint is IPEndPoint remote ? Normalize(remote) : new IPEndPoint(IPAddress.None, 0);
    }

    public override IPEndPoint Remote { get; }
    public override string Protocol => "tcp";

    public override void Send(ReadOnlySpan<byte> packet)
    {
        if (packet.Length > Rfc4571Framing.MaxFrameLength) return;
        byte[] frame = ArrayPool<byte>.Shared.Rent(packet.Length + Rfc4571Framing.HeaderLength);
        Rfc4571Framing.TryWriteHeader(frame, packet.Length);
        packet.CopyTo(frame.AsSpan(Rfc4571Framing.HeaderLength));
        if (!_outgoing.Writer.TryWrite((frame, packet.Length + Rfc4571Framing.HeaderLength)))
        {
            ArrayPool<byte>.Shared.Return(frame);
            _onDropped();
        }
    }

    /// <summary>Writes queued frames until the connection closes.</summary>
    public async Task WriteLoopAsync(CancellationToken stopping)
    {
        try
        {
            await foreach ((byte[] frame, int length) in _outgoing.Reader.ReadAllAsync(stopping))
            {
                try
                {
                    await _socket.SendAsync(frame.AsMemory(0, length), SocketFlags.None, stopping);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(frame);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Reads frames and hands each to <paramref name="onFrame"/> until the peer closes or a frame is refused.</summary>
    public async Task ReadLoopAsync(Func<TcpMediaPath, ReadOnlyMemory<byte>, bool> onFrame, CancellationToken stopping)
    {
        byte[] buffer = new byte[Rfc4571Framing.HeaderLength + Rfc4571Framing.MaxFrameLength];
        int filled = 0;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                int read = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, stopping);
                if (read == 0) return;
                filled += read;
                int offset = 0;
                while (Rfc4571Framing.TryReadFrame(buffer.AsSpan(offset, filled - offset), out ReadOnlySpan<byte> frame, out int consumed))
                {
                    int start = offset + Rfc4571Framing.HeaderLength;
                    offset += consumed;
                    if (!onFrame(this, buffer.AsMemory(start, frame.Length))) return;
                }
                buffer.AsSpan(offset, filled - offset).CopyTo(buffer);
                filled -= offset;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _outgoing.Writer.TryComplete();
        _socket.Dispose();
    }

    internal static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}
