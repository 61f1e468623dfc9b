using System.Buffers.Binary;

namespace Switchboard.Protocols.Sctp;

/// <summary>The Result field of a Re-configuration Response Parameter (RFC 6525 §4.4).</summary>
public enum ReconfigurationResult : uint
{
    SuccessNothingToDo = 0,
    SuccessPerformed = 1,
    Denied = 2,
    ErrorWrongSsn = 3,
    ErrorRequestAlreadyInProgress = 4,
    ErrorBadSequenceNumber = 5,
    InProgress = 6,
}

/// <summary>
/// An Outgoing SSN Reset Request Parameter of a RE-CONFIG chunk (RFC 6525 §4.1): the sender resets the sequence
/// numbers of these outgoing streams (all of them when none is listed) after its last assigned TSN.
/// </summary>
public readonly ref struct OutgoingSsnResetRequest
{
    public const int FixedLength = 12;

    private readonly ReadOnlySpan<byte> _value;

    private OutgoingSsnResetRequest(ReadOnlySpan<byte> value) => _value = value;

    public uint RequestSequenceNumber => BinaryPrimitives.ReadUInt32BigEndian(_value);
    public uint ResponseSequenceNumber => BinaryPrimitives.ReadUInt32BigEndian(_value[4..]);
    public uint SendersLastAssignedTsn => BinaryPrimitives.ReadUInt32BigEndian(_value[8..]);
    public int StreamCount => (_value.Length - FixedLength) / 2;
    public ushort Stream(int index) => BinaryPrimitives.ReadUInt16BigEndian(_value[(FixedLength + index * 2)..]);

    public static bool TryRead(SctpParameter parameter, out OutgoingSsnResetRequest request)
    {
        request = default;
        if (parameter.Type != SctpParameterType.OutgoingSsnResetRequest || parameter.Value.Length < FixedLength) return false;
        request = new OutgoingSsnResetRequest(parameter.Value);
        return true;
    }

    public static int Size(int streams) => SctpParameter.SizeOf(FixedLength + 2 * streams);

    /// <summary>Writes the parameter at the start of <paramref name="destination"/> and returns its size with padding.</summary>
    public static int Write(Span<byte> destination, uint requestSequence, uint responseSequence, uint lastAssignedTsn, ReadOnlySpan<ushort> streams)
    {
        var value = SctpParameter.Write(destination, (ushort)SctpParameterType.OutgoingSsnResetRequest, FixedLength + 2 * streams.Length);
        BinaryPrimitives.WriteUInt32BigEndian(value, requestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(value[4..], responseSequence);
        BinaryPrimitives.WriteUInt32BigEndian(value[8..], lastAssignedTsn);
        for (int i = 0; i < streams.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(value[(FixedLength + i * 2)..], streams[i]);
        return Size(streams.Length);
    }
}

/// <summary>A Re-configuration Response Parameter (RFC 6525 §4.4), without the optional TSN fields.</summary>
public readonly ref struct ReconfigurationResponse
{
    public const int FixedLength = 8;

    private readonly ReadOnlySpan<byte> _value;

    private ReconfigurationResponse(ReadOnlySpan<byte> value) => _value = value;

    public uint ResponseSequenceNumber => BinaryPrimitives.ReadUInt32BigEndian(_value);
    public ReconfigurationResult Result => (ReconfigurationResult)BinaryPrimitives.ReadUInt32BigEndian(_value[4..]);

    public static bool TryRead(SctpParameter parameter, out ReconfigurationResponse response)
    {
        response = default;
        if (parameter.Type != SctpParameterType.ReconfigurationResponse || parameter.Value.Length < FixedLength) return false;
        response = new ReconfigurationResponse(parameter.Value);
        return true;
    }

    public static int Size => SctpParameter.SizeOf(FixedLength);

    public static int Write(Span<byte> destination, uint responseSequence, ReconfigurationResult result)
    {
        var value = SctpParameter.Write(destination, (ushort)SctpParameterType.ReconfigurationResponse, FixedLength);
        BinaryPrimitives.WriteUInt32BigEndian(value, responseSequence);
        BinaryPrimitives.WriteUInt32BigEndian(value[4..], (uint)result);
        return Size;
    }
}
