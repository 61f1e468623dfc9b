using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Switchboard.Signaling.Protocol;

namespace Switchboard.Signaling.Sessions;

/// <summary>
/// A server message serialized once, however many participants it goes to. Resume buffers and send queues hold a
/// reference to the one body; a recipient's <c>"seq":N</c> is spliced in front of it only as it is written to the socket
/// (<see cref="WriteWithSeq"/>): <c>{"type":...}</c> goes out as <c>{"seq":N,"type":...}</c>.
/// </summary>
public sealed class OutboundMessage
{
    const int MaxSeqDigits = 20;
    static ReadOnlySpan<byte> SeqPrefix => "{\"seq\":"u8;

    readonly byte[] _body;
    int _keepers;

    OutboundMessage(byte[] body) => _body = body;

    /// <summary>The message as it is, for the messages that carry no seq (joined, resumed, error, ping, pong).</summary>
    public byte[] Bytes => _body;

    public int Length => _body.Length;

    /// <summary>The most bytes <see cref="WriteWithSeq"/> writes.</summary>
    public int MaxLengthWithSeq => _body.Length + SeqPrefix.Length + MaxSeqDigits + 1;

    public static OutboundMessage Create<T>(T message, JsonTypeInfo<T> info) => new(JsonSerializer.SerializeToUtf8Bytes(message, info));

    public static readonly OutboundMessage Ping = new("""{"type":"ping"}"""u8.ToArray());
    public static readonly OutboundMessage Pong = new("""{"type":"pong"}"""u8.ToArray());

    public static OutboundMessage Error(string code, string message, string? requestId = null, bool fatal = false) =>
        Create(new ErrorMessage(code, message, requestId, fatal), SignalingJsonContext.Default.ErrorMessage);

    /// <summary>Writes the message with <paramref name="seq"/> spliced in; returns the bytes written.</summary>
    public int WriteWithSeq(long seq, Span<byte> destination)
    {
        SeqPrefix.CopyTo(destination);
        Utf8Formatter.TryFormat(seq, destination[SeqPrefix.Length..], out int digits);
        int at = SeqPrefix.Length + digits;
        destination[at++] = (byte)',';
        _body.AsSpan(1).CopyTo(destination[at..]);
        return at + _body.Length - 1;
    }

    /// <summary>One more resume buffer keeps this body; true for the first, from which on its bytes count (<see cref="ResumeBudget"/>).</summary>
    internal bool Keep() => Interlocked.Increment(ref _keepers) == 1;

    /// <summary>A resume buffer let this body go; true for the last, after which its bytes no longer count.</summary>
    internal bool LetGo() => Interlocked.Decrement(ref _keepers) == 0;
}
