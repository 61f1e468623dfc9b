using Switchboard.Protocols.Srtp;

namespace Switchboard.Fuzz;

/// <summary>
/// SRTP and SRTCP as the media server receives them after DTLS, with both profiles (AES-CM with HMAC-SHA1, AES-GCM).
/// The first byte chooses: 0 and 1, the rest unprotected as SRTP or SRTCP (the header is parsed before the tag is
/// checked, so this reaches everything a forger can); 2 and 3, the rest protected with the context's keys and
/// unprotected by a second context with the same keys, which must give it back unchanged (so the fuzzer reaches the
/// code behind the tag check). Both return an <see cref="SrtpResult"/> for bad input and never throw.
/// </summary>
public static class SrtpTarget
{
    internal static readonly byte[] MasterKey = Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139");
    internal static readonly byte[] MasterSalt = Convert.FromHexString("0EC675AD498AFEEBB6960B3AABE6");

    public static void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        var rest = data[1..];
        foreach (var profile in (ReadOnlySpan<SrtpProfile>)[SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm])
        {
            var salt = MasterSalt.AsSpan(0, profile.MasterSaltLength());
            using var receiver = new SrtpContext(profile, MasterKey, salt, maxStreams: 4);
            var buffer = new byte[rest.Length + profile.RtcpOverhead()];
            rest.CopyTo(buffer);
            switch (data[0] % 4)
            {
                case 0:
                    if (receiver.UnprotectRtp(buffer.AsSpan(0, rest.Length), out int rtpLength) == SrtpResult.Ok)
                        FuzzInvariantException.Check(rtpLength == rest.Length - profile.RtpTagLength(), "SRTP length");
                    break;
                case 1:
                    if (receiver.UnprotectRtcp(buffer.AsSpan(0, rest.Length), out int rtcpLength) == SrtpResult.Ok)
                        FuzzInvariantException.Check(rtcpLength <= rest.Length - profile.RtcpOverhead(), "SRTCP length");
                    break;
                case 2:
                {
                    using var sender = new SrtpContext(profile, MasterKey, salt);
                    if (sender.ProtectRtp(buffer, rest.Length, out int protectedLength) != SrtpResult.Ok) break;
                    var result = receiver.UnprotectRtp(buffer.AsSpan(0, protectedLength), out int length);
                    FuzzInvariantException.Check(result == SrtpResult.Ok, $"own SRTP packet refused: {result}");
                    FuzzInvariantException.Check(buffer.AsSpan(0, length).SequenceEqual(rest), "SRTP round trip changed the packet");
                    FuzzInvariantException.Check(receiver.UnprotectRtp(buffer.AsSpan(0, protectedLength), out _) != SrtpResult.Ok, "SRTP replay accepted");
                    break;
                }
                default:
                {
                    using var sender = new SrtpContext(profile, MasterKey, salt);
                    if (sender.ProtectRtcp(buffer, rest.Length, out int protectedLength) != SrtpResult.Ok) break;
                    var result = receiver.UnprotectRtcp(buffer.AsSpan(0, protectedLength), out int length);
                    FuzzInvariantException.Check(result == SrtpResult.Ok, $"own SRTCP packet refused: {result}");
                    FuzzInvariantException.Check(buffer.AsSpan(0, length).SequenceEqual(rest), "SRTCP round trip changed the packet");
                    break;
                }
            }
        }
    }
}
