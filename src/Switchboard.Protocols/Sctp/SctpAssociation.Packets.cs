namespace Switchboard.Protocols.Sctp;

public sealed partial class SctpAssociation
{
    /// <summary>The most an ERROR chunk queued for the peer carries, in causes.</summary>
    private const int MaxPendingErrorCauses = 8;

    private readonly List<byte[]> _pendingErrorCauses = [];

    /// <summary>
    /// Checks and processes one packet whose checksum is correct: every chunk must be well formed (else the packet is
    /// dropped whole), INIT must be alone with a zero tag, and the verification tag must match (RFC 9260 §8.5, §8.5.1).
    /// Returns false when the packet was dropped.
    /// </summary>
    private bool ProcessPacket(SctpPacket packet, long nowMillis)
    {
        int count = 0;
        bool hasInit = false;
        byte firstType = 0, firstFlags = 0;
        var check = packet.Chunks;
        while (check.MoveNext())
        {
            if (count++ == 0) (firstType, firstFlags) = (check.Current.RawType, check.Current.Flags);
            if (check.Current.Type == SctpChunkType.Init) hasInit = true;
        }
        if (check.Malformed || count == 0) return false;
        uint tag = packet.VerificationTag;
        var chunks = packet.Chunks;
        chunks.MoveNext();

        if (hasInit) return count == 1 && tag == 0 && HandleInit(chunks.Current, nowMillis);

        bool hadPeer = HasPeer;
        if ((SctpChunkType)firstType == SctpChunkType.CookieEcho)
        {
            if (!HandleCookieEcho(chunks.Current, tag, nowMillis)) return false;
            if (!chunks.MoveNext()) return true;
        }
        else if (State == SctpState.Closed) return HandleOutOfTheBlue(packet, (SctpChunkType)firstType, tag);
        else
        {
            bool reflected = (firstFlags & 1) != 0;
            bool tagMatches = (SctpChunkType)firstType is SctpChunkType.Abort or SctpChunkType.ShutdownComplete && reflected
                ? tag == _peerTag && _peerTag != 0
                : tag == _localTag;
            if (!tagMatches) return false;
        }

        _dataInPacket = false;
        _hadGapsBeforePacket = _received.HasGaps;
        do
        {
            if (_terminated || !HandleChunk(chunks.Current, nowMillis)) break;
        }
        while (chunks.MoveNext());
        if (hadPeer || HasPeer) AfterPacket(nowMillis);
        return true;
    }

    /// <summary>Processes one chunk; false stops the packet's processing (RFC 9260 §3.2 for unknown types).</summary>
    private bool HandleChunk(SctpChunk chunk, long nowMillis)
    {
        switch (chunk.Type)
        {
            case SctpChunkType.Data: HandleData(chunk); return true;
            case SctpChunkType.Sack: HandleSack(chunk, nowMillis); return true;
            case SctpChunkType.InitAck: HandleInitAck(chunk, nowMillis); return true;
            case SctpChunkType.CookieEcho: return true; // only first in a packet
            case SctpChunkType.CookieAck: HandleCookieAck(nowMillis); return true;
            case SctpChunkType.Heartbeat: SendSingleChunk(SctpChunkType.HeartbeatAck, 0, chunk.Value, _peerTag); return true;
            case SctpChunkType.HeartbeatAck: HandleHeartbeatAck(chunk, nowMillis); return true;
            case SctpChunkType.Abort:
                Terminate($"The peer aborted the association ({SctpErrorCause.Describe(chunk.Value)}).");
                return false;
            case SctpChunkType.Shutdown: HandleShutdown(chunk, nowMillis); return true;
            case SctpChunkType.ShutdownAck: HandleShutdownAck(); return true;
            case SctpChunkType.ShutdownComplete: HandleShutdownComplete(); return true;
            case SctpChunkType.Error: HandleError(chunk, nowMillis); return true;
            case SctpChunkType.ForwardTsn: HandleForwardTsn(chunk); return true;
            case SctpChunkType.ReConfig: HandleReconfig(chunk); return true;
            default:
                Counters.ChunksDropped++;
                if (SctpUnknownChunk.Report(chunk.RawType))
                    QueueErrorCause(SctpErrorCauseCode.UnrecognizedChunkType, chunk.Bytes[..Math.Min(chunk.Bytes.Length, 64)]);
                return SctpUnknownChunk.SkipAndContinue(chunk.RawType);
        }
    }

    /// <summary>
    /// A packet with no association to go to (RFC 9260 §8.4): ABORT, SHUTDOWN COMPLETE, COOKIE ACK and ERROR are
    /// dropped, SHUTDOWN ACK is answered with SHUTDOWN COMPLETE, anything else with ABORT, both with the T bit and the
    /// packet's own tag. Counted as dropped.
    /// </summary>
    private bool HandleOutOfTheBlue(SctpPacket packet, SctpChunkType first, uint tag)
    {
        foreach (var chunk in packet.Chunks)
            if (chunk.Type is SctpChunkType.Abort or SctpChunkType.ShutdownComplete or SctpChunkType.CookieAck or SctpChunkType.Error)
                return false;
        if (first == SctpChunkType.ShutdownAck) SendSingleChunk(SctpChunkType.ShutdownComplete, 1, [], tag);
        else SendAbort(tag, reflected: true, SctpErrorCauseCode.ProtocolViolation, "no association");
        return false;
    }

    private void QueueErrorCause(SctpErrorCauseCode code, ReadOnlySpan<byte> information)
    {
        if (_pendingErrorCauses.Count >= MaxPendingErrorCauses) return;
        var cause = new byte[SctpParameter.SizeOf(information.Length)];
        SctpErrorCause.Write(cause, code, information);
        _pendingErrorCauses.Add(cause);
    }

    /// <summary>Sends one chunk in a packet of its own, larger than the MTU only when the chunk is (a peer's heartbeat echoed).</summary>
    private void SendSingleChunk(SctpChunkType type, byte flags, ReadOnlySpan<byte> value, uint tag)
    {
        int size = SctpPacket.HeaderLength + SctpPacket.Padded(SctpChunk.HeaderLength + value.Length);
        if (size > SctpPacket.HeaderLength + ushort.MaxValue) return;
        var buffer = size <= _packetBuffer.Length ? _packetBuffer : new byte[size];
        var writer = new SctpPacketWriter(buffer, _options.LocalPort, _options.RemotePort, tag);
        value.CopyTo(writer.AddChunk(type, flags, value.Length));
        Emit(ref writer);
    }

    private void SendAbort(uint tag, bool reflected, SctpErrorCauseCode code, string reason)
    {
        Span<byte> text = stackalloc byte[SctpErrorCause.MaxQuotedBytes];
        int length = System.Text.Encoding.UTF8.GetBytes(reason.AsSpan(0, Math.Min(reason.Length, SctpErrorCause.MaxQuotedBytes / 4)), text);
        Span<byte> cause = stackalloc byte[SctpParameter.SizeOf(length)];
        int size = SctpErrorCause.Write(cause, code, text[..length]);
        SendSingleChunk(SctpChunkType.Abort, (byte)(reflected ? 1 : 0), cause[..size], tag);
    }
}
