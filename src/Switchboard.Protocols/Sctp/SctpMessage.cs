namespace Switchboard.Protocols.Sctp;

/// <summary>A whole (reassembled) user message.</summary>
public sealed record SctpMessage(ushort StreamId, uint PayloadProtocolId, byte[] Data, bool Unordered);
