using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Switchboard.Signaling.Protocol;

namespace Switchboard.Signaling.Sessions;

/// <summary>
/// A server message serialized once, however many participants it goes to. <see cref="WithSeq"/> splices a
/// recipient's <c>"seq":N</c> in front of the shared body: <c>{"type":...}</c> becomes <c>{"seq":N,"type":...}</c>.
/// </summary>
public sealed class OutboundMessage
{
    readonly byte[] _body;

    OutboundMessage(byte[] body) => _body = body;

    /// <summary>The message as it is, for the messages that carry no seq (joined, resumed, error, ping, pong).</summary>
    public byte[] Bytes => _body;

    public static OutboundMessage Create<T>(T message, JsonTypeInfo<T> info) => new(JsonSerializer.SerializeToUtf8Bytes(message, info));

    public static readonly OutboundMessage Ping = new("""{"type":"ping"}"""u8.ToArray());
    public static readonly OutboundMessage Pong = new("""{"type":"pong"}"""u8.ToArray());

    public static OutboundMessage Error(string code, string message, string? requestId = null, bool fatal = false) =>
        Create(new ErrorMessage(code, message, requestId, fatal), SignalingJsonContext.Default.ErrorMessage);

    public byte[] WithSeq(long seq)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(seq, digits, out int length);
        var bytes = new byte[_body.Length + 7 + length];
        "{\"seq\":"u8.CopyTo(bytes);
        digits[..length].CopyTo(bytes.AsSpan(7));
        bytes[7 + length] = (byte)',';
        _body.AsSpan(1).CopyTo(bytes.AsSpan(8 + length));
        return bytes;
    }
}
