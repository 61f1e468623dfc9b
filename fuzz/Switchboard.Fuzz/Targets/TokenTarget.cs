using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Fuzz;

/// <summary>
/// An access token as a client presents it. <see cref="AccessTokenCodec.Validate"/> never throws: bad input is a
/// validation with an error and a reason. A forged token cannot get past the signature, so the first byte chooses what
/// the rest is: 0 the token text itself; 1 a payload (the claims JSON) that the target signs under a valid header with
/// the codec's key; 2 a header and a payload, split at the first newline, both signed the same way. So the fuzzer
/// reaches the claim checks too.
/// </summary>
public static class TokenTarget
{
    static readonly ApiKey Key = new() { Key = "fuzz", Secret = "fuzz-secret-that-is-long-enough-for-hs256" };
    static readonly AccessTokenCodec Codec = new([Key]);
    static readonly byte[] Header = """{"alg":"HS256","typ":"JWT","kid":"fuzz"}"""u8.ToArray();
    static readonly DateTimeOffset Now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        var rest = data[1..];
        string token;
        switch (data[0] % 3)
        {
            case 0:
                token = Encoding.UTF8.GetString(rest);
                break;
            case 1:
                token = Sign(Header, rest);
                break;
            default:
                int newline = rest.IndexOf((byte)'\n');
                token = newline < 0 ? Sign(rest, "{}"u8) : Sign(rest[..newline], rest[(newline + 1)..]);
                break;
        }
        var validation = Codec.Validate(token, Now);
        FuzzInvariantException.Check(validation.IsValid == (validation.Reason.Length == 0), "validity and reason disagree");
        if (validation.Token is { } accepted)
        {
            FuzzInvariantException.Check(accepted.Identity.Length is > 0 and <= AccessToken.MaxIdentityLength, "identity length");
            FuzzInvariantException.Check(accepted.Expires > Now - TimeSpan.FromMinutes(1), "an expired token was accepted");
            _ = (accepted.AdmitsTo("room"), accepted.Grants, accepted.Name, accepted.NotBefore);
        }
    }

    static string Sign(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(payload);
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key.Secret), Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }
}
