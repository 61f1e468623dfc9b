using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Switchboard.Protocols.Srtp;

/// <summary>
/// One direction's SRTP and SRTCP cryptographic context (RFC 3711 §3.2): the session keys derived from one
/// master key and salt, and per-SSRC rollover counters, replay windows and SRTCP indices. Protect with the
/// local keys, unprotect with the remote ones (two contexts per DTLS-SRTP association). Packets are changed in
/// place and nothing is allocated per packet. Not thread-safe: one context belongs to one transport loop.
/// A rejected packet changes no state: the replay window and ROC move only after the tag verifies (§3.3).
/// </summary>
public sealed partial class SrtpContext : IDisposable
{
    public const int DefaultMaxStreams = 128;

    readonly SrtpProfile _profile;
    readonly int _tagLength;
    readonly int _maxStreams;
    readonly Dictionary<uint, SrtpStream> _streams = [];
    readonly SessionKeys _rtp;
    readonly SessionKeys _rtcp;

    public SrtpContext(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, int maxStreams = DefaultMaxStreams)
        : this(profile, SessionKeys.Derive(profile, masterKey, masterSalt, SrtpKeyDerivation.RtpEncryption),
            SessionKeys.Derive(profile, masterKey, masterSalt, SrtpKeyDerivation.RtcpEncryption), maxStreams)
    {
    }

    SrtpContext(SrtpProfile profile, SessionKeys rtp, SessionKeys rtcp, int maxStreams)
    {
        _profile = profile;
        _tagLength = profile.RtpTagLength();
        _maxStreams = maxStreams;
        _rtp = rtp;
        _rtcp = rtcp;
    }

    /// <summary>A context from session keys as they are (RFC 7714's test vectors give those, not master keys).</summary>
    internal static SrtpContext FromSessionKeys(SrtpProfile profile, byte[] key, byte[] salt, byte[]? authenticationKey = null) =>
        new(profile, new SessionKeys(key, salt, authenticationKey), new SessionKeys(key, salt, authenticationKey), DefaultMaxStreams);

    public SrtpProfile Profile => _profile;

    /// <summary>SSRCs this context holds state for.</summary>
    public int StreamCount => _streams.Count;

    public void Dispose()
    {
        _rtp.Dispose();
        _rtcp.Dispose();
    }

    SrtpStream? Find(uint ssrc, out bool full)
    {
        full = false;
        if (_streams.TryGetValue(ssrc, out var stream)) return stream;
        full = _streams.Count >= _maxStreams;
        return null;
    }

    SrtpStream Add(uint ssrc)
    {
        var stream = new SrtpStream();
        _streams.Add(ssrc, stream);
        return stream;
    }

    /// <summary>AES-CM IV (RFC 3711 §4.1.1): (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16).</summary>
    static void CounterModeIv(ReadOnlySpan<byte> salt, uint ssrc, ulong index, Span<byte> iv)
    {
        iv.Clear();
        salt.CopyTo(iv);
        Span<byte> word = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(word, ssrc);
        for (int i = 0; i < 4; i++) iv[4 + i] ^= word[i];
        BinaryPrimitives.WriteUInt64BigEndian(word, index << 16);
        for (int i = 0; i < 6; i++) iv[8 + i] ^= word[i];
    }

    /// <summary>HMAC-SHA1 over the packet followed by a 4-byte trailer (the ROC for RTP, E||index for RTCP), truncated.</summary>
    static bool AuthenticationTagMatches(IncrementalHash hmac, ReadOnlySpan<byte> authenticated, uint trailer, ReadOnlySpan<byte> tag)
    {
        Span<byte> computed = stackalloc byte[20];
        ComputeTag(hmac, authenticated, trailer, computed);
        return CryptographicOperations.FixedTimeEquals(computed[..tag.Length], tag);
    }

    static void ComputeTag(IncrementalHash hmac, ReadOnlySpan<byte> authenticated, uint trailer, Span<byte> tag20)
    {
        Span<byte> trailerBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(trailerBytes, trailer);
        hmac.AppendData(authenticated);
        hmac.AppendData(trailerBytes);
        hmac.GetHashAndReset(tag20);
    }

    /// <summary>Decrypts and verifies AES-GCM in place; false when the tag does not verify.</summary>
    static bool GcmOpen(AesGcm gcm, ReadOnlySpan<byte> nonce, Span<byte> data, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> aad)
    {
        try
        {
            gcm.Decrypt(nonce, data, tag, data, aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // The platform's AES-GCM reports a bad tag only by throwing; forged packets are rare after ICE.
            return false;
        }
    }

    /// <summary>The keys of RTP or RTCP: AES-CM key, HMAC-SHA1 key and salt, or the AES-GCM key and salt.</summary>
    sealed class SessionKeys : IDisposable
    {
        public readonly AesCounterMode? CounterMode;
        public readonly IncrementalHash? Hmac;
        public readonly AesGcm? Gcm;
        public readonly byte[] Salt;

        /// <param name="authenticationKey">The HMAC-SHA1 key for AES-CM; null for AES-GCM.</param>
        public SessionKeys(ReadOnlySpan<byte> key, byte[] salt, ReadOnlySpan<byte> authenticationKey)
        {
            Salt = salt;
            if (authenticationKey.IsEmpty)
            {
                Gcm = new AesGcm(key, tagSizeInBytes: 16);
            }
            else
            {
                CounterMode = new AesCounterMode(key);
                Hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, authenticationKey);
            }
        }

        /// <summary>Session keys of RTP or RTCP from the master key (labels of RFC 3711 §4.3.1-4.3.2).</summary>
        public static SessionKeys Derive(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, byte encryptionLabel)
        {
            if (masterSalt.Length != profile.MasterSaltLength())
                throw new ArgumentException($"{profile} needs a {profile.MasterSaltLength()}-byte master salt.", nameof(masterSalt));
            Span<byte> key = stackalloc byte[16];
            Span<byte> authenticationKey = stackalloc byte[profile == SrtpProfile.AeadAes128Gcm ? 0 : 20];
            var salt = new byte[profile.MasterSaltLength()];
            SrtpKeyDerivation.Derive(masterKey, masterSalt, encryptionLabel, key);
            SrtpKeyDerivation.Derive(masterKey, masterSalt, (byte)(encryptionLabel + 1), authenticationKey);
            SrtpKeyDerivation.Derive(masterKey, masterSalt, (byte)(encryptionLabel + 2), salt);
            var keys = new SessionKeys(key, salt, authenticationKey);
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(authenticationKey);
            return keys;
        }

        public void Dispose()
        {
            CounterMode?.Dispose();
            Hmac?.Dispose();
            Gcm?.Dispose();
        }
    }
}
