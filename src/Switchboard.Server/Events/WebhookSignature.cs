using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Server.Events;

/// <summary>
/// The <c>Switchboard-Signature</c> header: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</c> with the
/// API key's secret. The time is signed with the body, so a receiver that refuses old times refuses replays
/// (docs/events.md shows the check).
/// </summary>
public static class WebhookSignature
{
    public const string Header = "Switchboard-Signature";

    public static string Create(string secret, DateTimeOffset at, ReadOnlySpan<byte> body)
    {
        string time = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={time},v1={Convert.ToHexStringLower(Mac(secret, time, body))}";
    }

    private static byte[] Mac(string secret, string time, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.ASCII.GetBytes(time + "."));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
