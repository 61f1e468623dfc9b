using System.Buffers.Binary;
using System.Collections;
using System.Net;

namespace Switchboard.Turn.Transports.Dtls;

/// <summary>
/// Puts together ClientHellos fragmented over several records (small MTUs, large key shares; after a
/// HelloVerifyRequest the ClientHello also carries the cookie, so it grows) and returns each one, once whole, as a
/// single-record datagram that the stateless cookie check and BouncyCastle accept. It keeps only a bounded number
/// of partial ClientHellos, each for a few seconds, so a flood of fragments costs little memory and no handshake.
/// </summary>
/// <remarks>Used by the receive loop only: not thread-safe.</remarks>
internal sealed class ClientHelloReassembler(int maxPending = 1024, int maxMessageLength = 8192, int lifetimeMillis = 5000)
{
    private readonly Dictionary<SocketAddress, Partial> _partials = [];
    private long _sweptAt = Environment.TickCount64;

    public int PendingCount => _partials.Count;

    /// <summary>
    /// Takes the ClientHello fragments of one datagram; returns the whole ClientHello as one record when this
    /// datagram completed it, otherwise null.
    /// </summary>
    public byte[]? Add(SocketAddress address, ReadOnlySpan<byte> datagram)
    {
        long now = Environment.TickCount64;
        if (now - _sweptAt > lifetimeMillis)
            Sweep(now);

        for (int size; (size = ClientHello.RecordSize(datagram)) > 0; datagram = datagram[size..])
        {
            if (!ClientHello.TryReadFragment(datagram[..size], out ClientHello.Fragment fragment) ||
                fragment.MessageLength > maxMessageLength)
                continue;

            if (!_partials.TryGetValue(address, out Partial? partial))
            {
                if (_partials.Count >= maxPending)
                {
                    Sweep(now);
                    if (_partials.Count >= maxPending)
                        return null;
                }
                partial = new Partial(fragment.MessageSequence, fragment.MessageLength, now);
                _partials.Add(Copy(address), partial);
            }
            else if (fragment.MessageSequence < partial.MessageSequence)
            {
                continue; // a late retransmission of the ClientHello before
            }
            else if (partial.MessageSequence != fragment.MessageSequence || partial.Body.Length != fragment.MessageLength)
            {
                // A newer ClientHello (e.g. the one carrying the cookie): start over with it.
                partial = new Partial(fragment.MessageSequence, fragment.MessageLength, now);
                _partials[address] = partial;
            }

            if (partial.Add(fragment))
            {
                _partials.Remove(address);
                return partial.ToRecord();
            }
        }
        return null;
    }

    private void Sweep(long now)
    {
        _sweptAt = now;
        foreach ((SocketAddress address, Partial partial) in _partials)
        {
            if (now - partial.StartedAt > lifetimeMillis)
                _partials.Remove(address);
        }
    }

    private static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    private sealed class Partial(ushort messageSequence, int length, long startedAt)
    {
        private readonly BitArray _received = new(length);
        private int _receivedCount;
        private ushort _recordVersion;
        private long _recordSequence;

        public ushort MessageSequence { get; } = messageSequence;
        public byte[] Body { get; } = new byte[length];
        public long StartedAt { get; } = startedAt;

        /// <summary>Adds a fragment (overlaps and repeats allowed); true once every byte has arrived.</summary>
        public bool Add(ClientHello.Fragment fragment)
        {
            fragment.Body.CopyTo(Body.AsSpan(fragment.Offset));
            for (int i = fragment.Offset; i < fragment.Offset + fragment.Body.Length; i++)
            {
                if (!_received[i])
                {
                    _received[i] = true;
                    _receivedCount++;
                }
            }
            _recordVersion = fragment.RecordVersion;
            _recordSequence = Math.Max(_recordSequence, fragment.RecordSequence);
            return _receivedCount == Body.Length;
        }

        /// <summary>The whole ClientHello as one epoch-0 record, numbered like the last fragment's record.</summary>
        public byte[] ToRecord()
        {
            int length = Body.Length;
            byte[] record = new byte[ClientHello.RecordHeader + ClientHello.HandshakeHeader + length];
            Span<byte> span = record;
            span[0] = ClientHello.HandshakeContentType;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], _recordVersion);
            BinaryPrimitives.WriteUInt16BigEndian(span[5..], (ushort)(_recordSequence >> 32));
            BinaryPrimitives.WriteUInt32BigEndian(span[7..], (uint)_recordSequence);
            BinaryPrimitives.WriteUInt16BigEndian(span[11..], (ushort)(ClientHello.HandshakeHeader + length));
            Span<byte> handshake = span[ClientHello.RecordHeader..];
            handshake[0] = ClientHello.ClientHelloType;
            WriteUInt24(handshake[1..], length);
            BinaryPrimitives.WriteUInt16BigEndian(handshake[4..], MessageSequence);
            WriteUInt24(handshake[6..], 0);
            WriteUInt24(handshake[9..], length);
            Body.CopyTo(handshake[ClientHello.HandshakeHeader..]);
            return record;
        }

        private static void WriteUInt24(Span<byte> bytes, int value)
        {
            bytes[0] = (byte)(value >> 16);
            bytes[1] = (byte)(value >> 8);
            bytes[2] = (byte)value;
        }
    }
}
