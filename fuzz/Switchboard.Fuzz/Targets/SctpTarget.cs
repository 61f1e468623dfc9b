using Switchboard.Protocols.Sctp;

namespace Switchboard.Fuzz;

/// <summary>
/// SCTP packets as the media server receives them from DTLS. The first byte chooses: 0, the rest is a whole packet for
/// an established association (its checksum must be right, as a forger's would be); 1, the rest is the chunks of a
/// packet the target completes with the association's verification tag and a correct checksum (so the fuzzer reaches
/// every chunk handler); 2, the same for an association that has not started (INIT, COOKIE ECHO, out-of-the-blue
/// packets). The chunks are also read with every chunk and parameter reader. The association is set up the same way
/// for every input (fixed cookie secret and random numbers), its timers run after the packet, and its bounds must hold.
/// Nothing may throw.
/// </summary>
public static class SctpTarget
{
    private static readonly byte[] CookieSecret = "fuzz-sctp-cookie-secret-32-bytes"u8.ToArray();

    public static void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        var rest = data[1..];
        int mode = data[0] % 3;
        var pair = mode == 2 ? null : Pair.Established();
        var association = pair?.Server ?? new SctpAssociation(Options(seed: 1), _ => { }, new NullListener());
        byte[] packet = mode == 0 ? rest.ToArray() : WithHeader(rest, pair?.ServerTag ?? 0);
        ReadEverything(packet);
        association.Receive(packet, 1000);
        association.Receive(packet, 1001); // the same packet again: duplicates, replays
        for (long now = 1000; now < 200_000 && association.NextTimerMillis != long.MaxValue; now = Math.Max(now + 1, association.NextTimerMillis))
            association.OnTimer(Math.Max(now, association.NextTimerMillis));
        FuzzInvariantException.Check(association.BufferedAmount >= 0 && association.BytesInFlight >= 0, "negative send accounting");
        FuzzInvariantException.Check(association.ReceiveBufferedBytes >= 0 && association.ReceiveBufferedBytes <= 2L * 1024 * 1024, "receive buffer past its bound");
        FuzzInvariantException.Check(association.CongestionWindow >= 1200, "cwnd below one MTU");
    }

    private static byte[] WithHeader(ReadOnlySpan<byte> chunks, uint tag)
    {
        var packet = new byte[SctpPacket.HeaderLength + chunks.Length];
        new SctpPacketWriter(packet, 5000, 5000, tag).Finish();
        chunks.CopyTo(packet.AsSpan(SctpPacket.HeaderLength));
        Crc32c.Stamp(packet);
        return packet;
    }

    private static void ReadEverything(byte[] packet)
    {
        if (!SctpPacket.TryParse(packet, out var parsed)) return;
        _ = (parsed.SourcePort, parsed.DestinationPort, parsed.VerificationTag);
        foreach (var chunk in parsed.Chunks)
        {
            if (DataChunk.TryRead(chunk, out var data)) _ = (data.Tsn, data.StreamId, data.StreamSequenceNumber, data.PayloadProtocolId, data.UserData.Length);
            if (InitChunk.TryRead(chunk, out var init))
            {
                _ = (init.InitiateTag, init.AdvertisedReceiveWindow, init.OutboundStreams, init.InboundStreams, init.InitialTsn);
                foreach (var parameter in init.Parameters) _ = (parameter.Type, parameter.Value.Length, parameter.SkipUnknown, parameter.ReportUnknown);
            }
            if (SackChunk.TryRead(chunk, out var sack))
            {
                for (int i = 0; i < sack.GapBlockCount; i++) _ = sack.GapBlock(i);
                for (int i = 0; i < sack.DuplicateCount; i++) _ = sack.DuplicateTsn(i);
            }
            if (ForwardTsnChunk.TryRead(chunk, out var forward))
                for (int i = 0; i < forward.StreamCount; i++) _ = forward.Stream(i);
            HeartbeatInfo.TryRead(chunk.Value, out _, out _);
            StateCookie.TryRead(chunk.Value, CookieSecret, out _);
            _ = SctpErrorCause.Describe(chunk.Value);
            foreach (var parameter in new SctpParameterEnumerator(chunk.Value))
            {
                if (OutgoingSsnResetRequest.TryRead(parameter, out var request))
                    for (int i = 0; i < request.StreamCount; i++) _ = request.Stream(i);
                if (ReconfigurationResponse.TryRead(parameter, out var response)) _ = (response.ResponseSequenceNumber, response.Result);
            }
        }
    }

    private static SctpOptions Options(int seed)
    {
        var random = new Random(seed);
        return new SctpOptions { CookieSecret = CookieSecret, RandomUInt32 = () => (uint)random.NextInt64(1, uint.MaxValue) };
    }

    /// <summary>A client and a server joined in memory, established the same way each time.</summary>
    internal sealed class Pair
    {
        private readonly Queue<(bool ToServer, byte[] Packet)> _wire = new();

        private Pair()
        {
            Client = new SctpAssociation(Options(seed: 2), packet => Capture(toServer: true, packet), new NullListener());
            Server = new SctpAssociation(Options(seed: 1), packet => Capture(toServer: false, packet), new NullListener());
        }

        public SctpAssociation Client { get; }
        public SctpAssociation Server { get; }

        /// <summary>The tag of the client's packets: the server's own.</summary>
        public uint ServerTag { get; private set; }

        /// <summary>Every packet the client sent, in order.</summary>
        public List<byte[]> ClientPackets { get; } = [];

        public long Now { get; private set; }

        public static Pair Established()
        {
            var pair = new Pair();
            pair.Client.Connect(0);
            pair.Pump();
            return pair;
        }

        /// <summary>Delivers every packet on the wire, and the timers due, over the next 100 ms of the pair's clock.</summary>
        public void Pump()
        {
            for (int step = 0; step < 10_000 && _wire.Count > 0; step++)
            {
                var (toServer, packet) = _wire.Dequeue();
                (toServer ? Server : Client).Receive(packet, Now);
            }
            Now += 100;
            Client.OnTimer(Now);
            Server.OnTimer(Now);
        }

        private void Capture(bool toServer, ReadOnlySpan<byte> packet)
        {
            var copy = packet.ToArray();
            if (toServer)
            {
                ClientPackets.Add(copy);
                ServerTag = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(copy.AsSpan(4));
            }
            _wire.Enqueue((toServer, copy));
        }
    }

    private sealed class NullListener : ISctpAssociationListener
    {
        public void OnEstablished() { }
        public void OnMessage(SctpMessage message) { }
        public void OnIncomingStreamsReset(IReadOnlyList<ushort> streamIds) { }
        public void OnOutgoingStreamsReset(IReadOnlyList<ushort> streamIds) { }
        public void OnBufferedAmountLow() { }
        public void OnClosed(string reason) { }
    }
}
