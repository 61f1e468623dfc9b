using Switchboard.Media.Contracts;

namespace Switchboard.Media.Sfu.Data;

/// <summary>
/// One bus message on its way to its recipients, framed once for all of them: the whole frame, and (made when a
/// recipient takes smaller messages) the frame alone to send before the payload. Made on first use; two threads that
/// race make the same bytes.
/// </summary>
internal sealed class OutgoingData(string? sender, DataMessage message)
{
    private byte[]? _whole, _header;

    public DataMessage Message { get; } = message;

    public DataFrame Frame { get; } = new(message.IsText ? DataFrameFlags.Text : DataFrameFlags.None, message.Topic, sender is null ? [] : [sender], message.Payload);

    /// <summary>The frame with its payload.</summary>
    public byte[] Whole => _whole ??= Frame.Write();

    /// <summary>The frame that says its payload follows, without it.</summary>
    public byte[] Header => _header ??= (Frame with { Flags = Frame.Flags | DataFrameFlags.PayloadFollows }).Write();
}
