using System.Net;
using System.Text;
using Switchboard.Protocols.Stun;

namespace Switchboard.Protocols.Ice;

/// <summary>
/// The ICE-lite side of one peer (RFC 8445 §2.5, §7.3): it answers the full agent's Binding requests that carry the
/// right USERNAME and MESSAGE-INTEGRITY, remembers the paths they came over as valid, and selects the one nominated
/// with USE-CANDIDATE. A path is whatever the host uses to tell peers' transports apart (a UDP address, a TCP
/// connection). Consent (RFC 7675) lapses when no check has arrived for the timeout: the host then drops the peer.
/// The first nomination is selected at once. A later one of another path is selected only once that path has answered a
/// Binding request of this side's (the one check a lite agent sends): a check with the right credentials can come from
/// a forged source address, and without that proof the peer could turn its media, and its NACKs, toward a third party.
/// Until then media stays on the selected path. Thread-safe: checks may come from the UDP loop and TCP connections at once.
/// </summary>
public sealed class IceLiteAgent<TPath> where TPath : notnull
{
    /// <summary>Valid paths kept per agent (a browser has a few host candidates per family, not more).</summary>
    public const int MaxValidPaths = 16;

    /// <summary>A nominated path's verification: a check every 200 ms, five at most, then the nomination is dropped.</summary>
    public const int VerificationIntervalMillis = 200, VerificationAttempts = 5;

    private readonly object _gate = new();
    private readonly long _consentTimeoutMillis;
    private readonly Dictionary<TPath, long> _validPaths = [];
    private byte[] _integrityKey;
    private TPath? _selected;
    private bool _hasSelected;
    private long _lastConsentAt;

    /// <summary>The key of what the peer signs (its password), and this side's tie-breaker in its checks (RFC 8445 §7.1.1).</summary>
    private byte[] _remoteKey;
    private readonly ulong _tieBreaker = (ulong)Random.Shared.NextInt64();

    /// <summary>A nominated path waiting for its answer: the transaction of this side's check, when the next is due, checks sent.</summary>
    private TPath? _pending;
    private bool _hasPending;
    private readonly byte[] _pendingTransaction = new byte[12];
    private long _pendingDueAt;
    private int _pendingAttempts;

    public IceLiteAgent(IceCredentials local, IceCredentials remote, TimeSpan consentTimeout, long nowMillis)
    {
        Local = local;
        Remote = remote;
        _integrityKey = Encoding.UTF8.GetBytes(local.Password);
        _remoteKey = Encoding.UTF8.GetBytes(remote.Password);
        _consentTimeoutMillis = (long)consentTimeout.TotalMilliseconds;
        _lastConsentAt = nowMillis;
    }

    public IceCredentials Local { get; private set; }
    public IceCredentials Remote { get; private set; }

    /// <summary>The nominated path media is sent on; false before the first nomination.</summary>
    public bool TryGetSelectedPath(out TPath path)
    {
        lock (_gate)
        {
            path = _selected!;
            return _hasSelected;
        }
    }

    /// <summary>True when a check has succeeded over <paramref name="path"/>: DTLS and SRTP from it are accepted.</summary>
    public bool IsValidPath(TPath path)
    {
        lock (_gate) return _validPaths.ContainsKey(path);
    }

    /// <summary>When consent lapses if no further check arrives (milliseconds on the caller's clock).</summary>
    public long ConsentDeadline
    {
        get { lock (_gate) return _lastConsentAt + _consentTimeoutMillis; }
    }

    public bool IsConsentExpired(long nowMillis) => nowMillis >= ConsentDeadline;

    /// <summary>
    /// ICE restart (RFC 8445 §9): new credentials on both sides. Media goes on over the selected path until the peer
    /// nominates again with the new credentials; checks with the old ones fail from now on.
    /// </summary>
    public void Restart(IceCredentials local, IceCredentials remote)
    {
        lock (_gate)
        {
            Local = local;
            Remote = remote;
            _integrityKey = Encoding.UTF8.GetBytes(local.Password);
            _remoteKey = Encoding.UTF8.GetBytes(remote.Password);
            _hasPending = false;
        }
    }

    /// <summary>Forgets a path whose transport closed (an ICE-TCP connection); the selection goes with it.</summary>
    public void RemovePath(TPath path)
    {
        lock (_gate)
        {
            _validPaths.Remove(path);
            if (_hasSelected && EqualityComparer<TPath>.Default.Equals(_selected, path))
            {
                _hasSelected = false;
                _selected = default;
            }
            if (_hasPending && EqualityComparer<TPath>.Default.Equals(_pending, path)) _hasPending = false;
        }
    }

    /// <summary>
    /// Answers one Binding request that arrived over <paramref name="path"/> from <paramref name="source"/> (the address
    /// reported back in XOR-MAPPED-ADDRESS). Writes the response into <paramref name="response"/> unless the outcome is
    /// <see cref="IceCheckOutcome.Ignored"/>; needs 128 bytes for an IPv6 success.
    /// </summary>
    public IceCheckOutcome HandleBindingRequest(in StunMessageReader request, TPath path, IPEndPoint source, long nowMillis,
        Span<byte> response, out int responseLength)
    {
        responseLength = 0;
        if (request.Method != StunMethod.Binding || request.Class != StunClass.Request) return IceCheckOutcome.Ignored;
        lock (_gate)
        {
            // RFC 8489 §7.3: a wrong FINGERPRINT means the datagram is not STUN at all: no answer.
            if (request.HasFingerprint && !request.VerifyFingerprint()) return IceCheckOutcome.Ignored;
            if (!request.TryGetAttribute(StunAttributeType.Username, out ReadOnlySpan<byte> username)
                || !request.HasMessageIntegrity || !request.HasFingerprint)
                return Error(request, response, 400, "Bad Request", authenticated: false, IceCheckOutcome.BadRequest, out responseLength);
            if (!IceUsername.Matches(username, Local, Remote) || !request.VerifyMessageIntegrity(_integrityKey))
                return Error(request, response, 401, "Unauthorized", authenticated: false, IceCheckOutcome.Unauthorized, out responseLength);
            // A lite agent is always controlled (RFC 8445 §6.1.1); a peer that says it is controlled too is in conflict.
            if (request.HasAttribute(StunAttributeType.IceControlled))
                return Error(request, response, 487, "Role Conflict", authenticated: true, IceCheckOutcome.RoleConflict, out responseLength);

            if (!_validPaths.ContainsKey(path) && _validPaths.Count >= MaxValidPaths) EvictOldestPath();
            _validPaths[path] = nowMillis;
            _lastConsentAt = nowMillis;
            IceCheckOutcome outcome = request.HasAttribute(StunAttributeType.UseCandidate) ? Nominate(path, nowMillis) : IceCheckOutcome.Valid;

            var writer = new StunMessageWriter(response, request.Type.SuccessResponse, request.TransactionId);
            writer.AddXorAddress(StunAttributeType.XorMappedAddress, source);
            writer.AddMessageIntegrity(_integrityKey);
            writer.AddFingerprint();
            responseLength = writer.Length;
            return outcome;
        }
    }

    /// <summary>USE-CANDIDATE over <paramref name="path"/> (under the lock): selected at once if nothing is, else verified first.</summary>
    private IceCheckOutcome Nominate(TPath path, long nowMillis)
    {
        if (!_hasSelected || EqualityComparer<TPath>.Default.Equals(_selected, path))
        {
            _selected = path;
            _hasSelected = true;
            if (_hasPending && EqualityComparer<TPath>.Default.Equals(_pending, path)) _hasPending = false;
            return IceCheckOutcome.Nominated;
        }
        if (!_hasPending || !EqualityComparer<TPath>.Default.Equals(_pending, path))
        {
            (_pending, _hasPending, _pendingDueAt, _pendingAttempts) = (path, true, nowMillis, 0);
            System.Security.Cryptography.RandomNumberGenerator.Fill(_pendingTransaction);
        }
        return IceCheckOutcome.NominationPending;
    }

    /// <summary>
    /// This side's check of a nominated path, when one is due (RFC 8445 §7.2.2: USERNAME "peer:local", signed with the
    /// peer's password, ICE-CONTROLLED); the host sends it over <paramref name="path"/>. After the last attempt the
    /// nomination is dropped: media stays where it is. Needs 128 bytes.
    /// </summary>
    public bool TryWriteVerification(long nowMillis, Span<byte> request, out TPath path, out int length)
    {
        (path, length) = (default!, 0);
        lock (_gate)
        {
            if (!_hasPending || nowMillis < _pendingDueAt) return false;
            if (_pendingAttempts >= VerificationAttempts || !_validPaths.ContainsKey(_pending!))
            {
                _hasPending = false;
                return false;
            }
            _pendingAttempts++;
            _pendingDueAt = nowMillis + VerificationIntervalMillis;
            var writer = new StunMessageWriter(request, new StunMessageType(StunMethod.Binding, StunClass.Request), _pendingTransaction);
            writer.AddString(StunAttributeType.Username, $"{Remote.Ufrag}:{Local.Ufrag}");
            writer.AddUInt32(StunAttributeType.Priority, 0x7E00_00FF); // host, as a peer-reflexive candidate would be learned
            writer.AddUInt64(StunAttributeType.IceControlled, _tieBreaker);
            writer.AddMessageIntegrity(_remoteKey);
            writer.AddFingerprint();
            (path, length) = (_pending!, writer.Length);
            return true;
        }
    }

    /// <summary>
    /// A STUN response over <paramref name="path"/>: true when it answers this side's pending check (its transaction,
    /// signed with the peer's password), which makes the path the selected one.
    /// </summary>
    public bool HandleBindingResponse(in StunMessageReader response, TPath path)
    {
        if (response.Method != StunMethod.Binding || response.Class != StunClass.SuccessResponse) return false;
        lock (_gate)
        {
            if (!_hasPending || !EqualityComparer<TPath>.Default.Equals(_pending, path) || !response.TransactionId.SequenceEqual(_pendingTransaction)) return false;
            if (!response.HasMessageIntegrity || !response.VerifyMessageIntegrity(_remoteKey)) return false;
            (_selected, _hasSelected, _hasPending) = (path, true, false);
            return true;
        }
    }

    private IceCheckOutcome Error(in StunMessageReader request, Span<byte> response, int code, string reason, bool authenticated,
        IceCheckOutcome outcome, out int responseLength)
    {
        var writer = new StunMessageWriter(response, request.Type.ErrorResponse, request.TransactionId);
        writer.AddErrorCode(code, reason);
        if (authenticated) writer.AddMessageIntegrity(_integrityKey);
        writer.AddFingerprint();
        responseLength = writer.Length;
        return outcome;
    }

    private void EvictOldestPath()
    {
        TPath? oldest = default;
        long oldestAt = long.MaxValue;
        foreach ((TPath candidate, long at) in _validPaths)
        {
            if (at < oldestAt && !(_hasSelected && EqualityComparer<TPath>.Default.Equals(candidate, _selected)))
            {
                oldest = candidate;
                oldestAt = at;
            }
        }
        if (oldest is not null) _validPaths.Remove(oldest);
    }
}
