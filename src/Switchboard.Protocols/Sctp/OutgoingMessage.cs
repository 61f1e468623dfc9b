namespace Switchboard.Protocols.Sctp;

/// <summary>
/// A message given to Send: queued, then cut into DATA chunks with consecutive TSNs as the windows allow. Its stream
/// sequence number is taken when its first chunk gets a TSN, so a message dropped before that leaves no gap.
/// </summary>
internal sealed class OutgoingMessage(ushort streamId, uint ppid, byte[] data, SctpSendOptions options, long expiresAtMillis)
{
    public ushort StreamId { get; } = streamId;
    public uint PayloadProtocolId { get; } = ppid;
    public byte[] Data { get; } = data;
    public bool Unordered { get; } = options.Unordered;
    public int? MaxRetransmits { get; } = options.MaxRetransmits is int n ? Math.Max(0, n) : null;

    /// <summary>When the message is abandoned (RFC 3758 timed reliability); long.MaxValue without a lifetime.</summary>
    public long ExpiresAtMillis { get; } = expiresAtMillis;

    public bool IsPartiallyReliable => MaxRetransmits is not null || ExpiresAtMillis != long.MaxValue;

    /// <summary>Bytes already cut into chunks.</summary>
    public int NextOffset { get; set; }
    public ushort Ssn { get; set; }
    public uint FirstTsn { get; set; }
    public int ChunkCount { get; set; }
    public bool Abandoned { get; set; }
}

/// <summary>A DATA chunk sent and not yet covered by the peer's cumulative TSN ack (RFC 9260 §6.2.1, §6.3).</summary>
internal sealed class OutstandingChunk(uint tsn, OutgoingMessage message, int offset, int length)
{
    public uint Tsn { get; } = tsn;
    public OutgoingMessage Message { get; } = message;
    public int Offset { get; } = offset;
    public int Length { get; } = length;
    public bool Beginning => Offset == 0;
    public bool End => Offset + Length == Message.Data.Length;
    public ReadOnlySpan<byte> UserData => Message.Data.AsSpan(Offset, Length);

    public int Transmissions { get; set; }

    /// <summary>Acknowledged by a gap ack block (the receiver may still renege).</summary>
    public bool Acked { get; set; }

    /// <summary>Counted in the flight size: sent, and neither acknowledged, marked for retransmission nor abandoned.</summary>
    public bool InFlight { get; set; }

    public bool MarkedForRetransmit { get; set; }
    public bool FastRetransmitted { get; set; }
    public bool Abandoned { get; set; }
    public int MissIndications { get; set; }

    /// <summary>The last SACK whose gap blocks covered the chunk, to notice reneging.</summary>
    public int AckedBySack { get; set; }
}
