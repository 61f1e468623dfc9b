using System.Buffers.Binary;

namespace Switchboard.Protocols.Sctp;

/// <summary>
/// The Heartbeat Information parameter this endpoint sends in a HEARTBEAT (RFC 9260 §3.3.5): the time it was sent
/// and a nonce, so that only the answer to the latest heartbeat counts and gives a round-trip time. A peer's heartbeat
/// is echoed back whole, whatever it holds (§8.3).
/// </summary>
public static class HeartbeatInfo
{
    private const int InfoLength = 12;

    /// <summary>The HEARTBEAT chunk's value length.</summary>
    public const int ValueLength = SctpParameter.HeaderLength + InfoLength;

    public static void Write(Span<byte> chunkValue, long sentAtMillis, uint nonce)
    {
        var info = SctpParameter.Write(chunkValue, (ushort)SctpParameterType.HeartbeatInfo, InfoLength);
        BinaryPrimitives.WriteInt64BigEndian(info, sentAtMillis);
        BinaryPrimitives.WriteUInt32BigEndian(info[8..], nonce);
    }

    /// <summary>Reads what <see cref="Write"/> wrote from a HEARTBEAT-ACK's value.</summary>
    public static bool TryRead(ReadOnlySpan<byte> chunkValue, out long sentAtMillis, out uint nonce)
    {
        sentAtMillis = 0;
        nonce = 0;
        var parameters = new SctpParameterEnumerator(chunkValue);
        if (!parameters.MoveNext() || parameters.Current.Type != SctpParameterType.HeartbeatInfo || parameters.Current.Value.Length != InfoLength)
            return false;
        sentAtMillis = BinaryPrimitives.ReadInt64BigEndian(parameters.Current.Value);
        nonce = BinaryPrimitives.ReadUInt32BigEndian(parameters.Current.Value[8..]);
        return true;
    }
}
