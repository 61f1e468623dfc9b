using Org.BouncyCastle.Tls;

namespace Switchboard.Dtls;

/// <summary>The last alert of a handshake in words, for the reason a session failed ("sent bad_certificate(42) (...)").</summary>
internal static class AlertText
{
    public static string Sent(short description, string? message) =>
        $"sent {AlertDescription.GetText(description)}" + (message is null ? "" : $" ({message})");

    public static string Received(short description) => $"received {AlertDescription.GetText(description)}";
}
