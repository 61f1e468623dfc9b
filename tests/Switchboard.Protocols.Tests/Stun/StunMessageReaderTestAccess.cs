using Switchboard.Protocols.Stun;

namespace Switchboard.Protocols.Tests.Stun;

internal static class StunMessageReaderTestAccess
{
    public static void ComputeSha256(byte[] message, int attributeOffset, int macLength, byte[] key, byte[] mac) =>
        StunMessageReader.ComputeIntegrity(message, attributeOffset, macLength, key, sha256: true, mac);
}
