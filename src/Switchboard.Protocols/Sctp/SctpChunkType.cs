namespace Switchboard.Protocols.Sctp;

/// <summary>The chunk types this engine reads or writes (RFC 9260 §3.2, RFC 3758 §3.2, RFC 6525 §3.1).</summary>
public enum SctpChunkType : byte
{
    Data = 0,
    Init = 1,
    InitAck = 2,
    Sack = 3,
    Heartbeat = 4,
    HeartbeatAck = 5,
    Abort = 6,
    Shutdown = 7,
    ShutdownAck = 8,
    Error = 9,
    CookieEcho = 10,
    CookieAck = 11,
    ShutdownComplete = 14,
    ReConfig = 130,
    ForwardTsn = 192,
}

/// <summary>What the upper two bits of an unknown chunk type ask of a receiver (RFC 9260 §3.2).</summary>
public static class SctpUnknownChunk
{
    /// <summary>Bit 7: skip the chunk and go on with the packet; clear: stop processing the packet.</summary>
    public static bool SkipAndContinue(byte type) => (type & 0x80) != 0;

    /// <summary>Bit 6: report it in an ERROR chunk (Unrecognized Chunk Type).</summary>
    public static bool Report(byte type) => (type & 0x40) != 0;
}
