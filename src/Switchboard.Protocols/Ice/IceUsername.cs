using System.Text;
using Switchboard.Protocols.Stun;

namespace Switchboard.Protocols.Ice;

/// <summary>The USERNAME of a connectivity check: "receiver ufrag:sender ufrag" (RFC 8445 §7.2.2).</summary>
public static class IceUsername
{
    /// <summary>
    /// The receiver's ufrag of a Binding request, so a host with many agents on one port can find the one it is for
    /// before checking MESSAGE-INTEGRITY. False when the message is not a Binding request with such a USERNAME.
    /// </summary>
    public static bool TryGetLocalUfrag(in StunMessageReader message, out string ufrag)
    {
        ufrag = "";
        if (message.Method != StunMethod.Binding || message.Class != StunClass.Request
            || !message.TryGetAttribute(StunAttributeType.Username, out ReadOnlySpan<byte> username)) return false;
        int colon = username.IndexOf((byte)':');
        if (colon <= 0) return false;
        ufrag = Encoding.UTF8.GetString(username[..colon]);
        return true;
    }

    /// <summary>True when <paramref name="username"/> is exactly "local:remote".</summary>
    public static bool Matches(ReadOnlySpan<byte> username, IceCredentials local, IceCredentials remote)
    {
        int localLength = local.Ufrag.Length, remoteLength = remote.Ufrag.Length;
        if (username.Length != localLength + 1 + remoteLength || username[localLength] != (byte)':') return false;
        Span<char> text = stackalloc char[username.Length];
        if (Encoding.UTF8.GetChars(username, text) != username.Length) return false;
        return text[..localLength].SequenceEqual(local.Ufrag) && text[(localLength + 1)..].SequenceEqual(remote.Ufrag);
    }
}
