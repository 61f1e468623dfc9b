using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Switchboard.SignalingLoad;

/// <summary>
/// How one server's protocol says "join" and "send this offer/candidate to that peer", with the send time carried
/// in the payload (the text "t=TIMESTAMP;" then padding) so that the receiver can measure relay latency.
/// </summary>
public abstract class SignalingDialect
{
    /// <summary>The WebSocket URL for client number <paramref name="index"/>.</summary>
    public abstract Uri ConnectUrl(Uri server, int index);

    /// <summary>The first message to send after connecting, if any.</summary>
    public abstract string? Hello(int index, string room);

    /// <summary>Reads a server message: this client's own id when it learns it, members of its room, or a relayed payload's timestamp.</summary>
    public abstract void Read(ReadOnlySpan<byte> message, SimulatedClient client);

    public abstract byte[] Relay(string to, bool offer, int bytes, long timestamp);

    /// <summary>The padded payload text with the timestamp in front.</summary>
    protected static string Payload(int bytes, long timestamp)
    {
        var head = $"t={timestamp};";
        return head + new string('x', Math.Max(0, bytes - head.Length));
    }

    protected static long? TimestampIn(string? text)
    {
        if (text is null || !text.StartsWith("t=", StringComparison.Ordinal)) return null;
        int end = text.IndexOf(';');
        return end > 2 && Utf8Parser.TryParse(Encoding.ASCII.GetBytes(text[2..end]), out long value, out _) ? value : null;
    }

    public static SignalingDialect For(string target) => target == "peerjs" ? new PeerJsDialect() : new SwitchboardDialect();
}

/// <summary>Switchboard's native protocol (docs/signaling.md): join, then offer/candidate with `to`.</summary>
public sealed class SwitchboardDialect : SignalingDialect
{
    public override Uri ConnectUrl(Uri server, int index) => server;

    public override string? Hello(int index, string room) => JsonSerializer.Serialize(new { type = "join", room, name = $"load-{index}" });

    public override void Read(ReadOnlySpan<byte> message, SimulatedClient client)
    {
        using var document = JsonDocument.Parse(message.ToArray());
        var root = document.RootElement;
        switch (root.GetProperty("type").GetString())
        {
            case "joined":
                client.Joined(root.GetProperty("participant").GetProperty("id").GetString()!,
                    root.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("id").GetString()!));
                break;
            case "participant-joined":
                client.PeerArrived(root.GetProperty("participant").GetProperty("id").GetString()!);
                break;
            case "offer":
                client.Received(TimestampIn(root.GetProperty("sdp").GetString()));
                break;
            case "candidate":
                client.Received(TimestampIn(root.GetProperty("candidate").GetProperty("candidate").GetString()));
                break;
            case "ping":
                client.Send("{\"type\":\"pong\"}"u8.ToArray());
                break;
            case "error":
                client.Failed(root.GetProperty("code").GetString()!);
                break;
        }
    }

    public override byte[] Relay(string to, bool offer, int bytes, long timestamp) => offer
        ? JsonSerializer.SerializeToUtf8Bytes(new { type = "offer", to, sdp = Payload(bytes, timestamp) })
        : JsonSerializer.SerializeToUtf8Bytes(new { type = "candidate", to, candidate = new { candidate = Payload(bytes, timestamp), sdpMid = "0", sdpMLineIndex = 0 } });
}

/// <summary>
/// The PeerJS server's protocol: connect to /peerjs?key=peerjs&amp;id=ID&amp;token=T, wait for OPEN, send
/// OFFER/CANDIDATE with `dst` and a payload; the server relays them with `src`. Ids are chosen by the client.
/// </summary>
public sealed class PeerJsDialect : SignalingDialect
{
    public static string IdOf(int index) => $"load{index}";

    public override Uri ConnectUrl(Uri server, int index) =>
        new($"{server.GetLeftPart(UriPartial.Authority)}/peerjs?key=peerjs&id={IdOf(index)}&token=t{index}");

    public override string? Hello(int index, string room) => null;

    public override void Read(ReadOnlySpan<byte> message, SimulatedClient client)
    {
        using var document = JsonDocument.Parse(message.ToArray());
        var root = document.RootElement;
        switch (root.GetProperty("type").GetString())
        {
            case "OPEN":
                client.Joined(IdOf(client.Index), client.RoomMembers.Where(i => i != client.Index).Select(IdOf));
                break;
            case "OFFER":
                client.Received(TimestampIn(root.GetProperty("payload").GetProperty("sdp").GetString()));
                break;
            case "CANDIDATE":
                client.Received(TimestampIn(root.GetProperty("payload").GetProperty("candidate").GetString()));
                break;
            case "ERROR" or "ID-TAKEN" or "INVALID-KEY":
                client.Failed(root.GetProperty("type").GetString()!);
                break;
        }
    }

    public override byte[] Relay(string to, bool offer, int bytes, long timestamp) => offer
        ? JsonSerializer.SerializeToUtf8Bytes(new { type = "OFFER", dst = to, payload = new { sdp = Payload(bytes, timestamp), type = "media" } })
        : JsonSerializer.SerializeToUtf8Bytes(new { type = "CANDIDATE", dst = to, payload = new { candidate = Payload(bytes, timestamp), type = "media" } });
}
