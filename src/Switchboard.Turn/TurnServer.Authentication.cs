using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Protocols.Stun;
using Switchboard.Turn.Diagnostics;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn;

/// <summary>The long-term credential mechanism on the server side (RFC 8489 §9.2.4) and response writing.</summary>
public sealed partial class TurnServer
{
    /// <summary>Who sent a request and the key that signs the response.</summary>
    private sealed record Credentials(string Username, byte[] Key, bool Sha256, StunPasswordAlgorithm Algorithm);

    private static readonly Credentials Anonymous = new("anonymous", [], false, StunPasswordAlgorithm.Md5);

    private static readonly byte[] PasswordAlgorithms =
        StunCredentials.EncodePasswordAlgorithms([StunPasswordAlgorithm.Md5, StunPasswordAlgorithm.Sha256]);

    /// <summary>
    /// Checks a request's credentials, then its comprehension-required attributes (RFC 8489 §6.3 takes them
    /// in that order); on failure the error response has been sent and null is returned.
    /// </summary>
    private Credentials? Authenticate(ClientConnection connection, StunMessageReader request)
    {
        var credentials = CheckCredentials(connection, request);
        return credentials is not null && CheckComprehensionRequired(connection, request, credentials) ? credentials : null;
    }

    private Credentials? CheckCredentials(ClientConnection connection, StunMessageReader request)
    {
        if (_options.NoAuth) return Anonymous;
        long now = Now;
        var source = connection.RemoteEndPoint.Address;
        if (!request.HasMessageIntegrity && !request.HasMessageIntegritySha256)
        {
            // The first 401 is how a client learns realm and nonce (§9.2.4): not a failure.
            if (!AdmitUnauthenticated(connection, now)) return null;
            _logger.LogDebug("Challenge {Method} from {Client}", request.Method, connection);
            SendChallenge(connection, request, StunErrorCode.Unauthenticated);
            return null;
        }

        bool hasUsername = request.TryGetAttribute(StunAttributeType.Username, out var usernameValue);
        bool hasUserHash = request.TryGetAttribute(StunAttributeType.UserHash, out var userHashValue);
        if (!hasUsername && !hasUserHash || !request.HasAttribute(StunAttributeType.Realm) ||
            !request.TryGetAttribute(StunAttributeType.Nonce, out var nonce))
        {
            Metrics.AuthFailure("missing_attributes");
            if (!AdmitUnauthenticated(connection, now)) return null;
            SendError(connection, request, StunErrorCode.BadRequest, null, "Missing USERNAME, REALM or NONCE");
            return null;
        }
        if (!_nonces.IsValid(nonce, source, now))
        {
            Metrics.AuthFailure("stale_nonce");
            if (!AdmitUnauthenticated(connection, now)) return null;
            SendChallenge(connection, request, StunErrorCode.StaleNonce);
            return null;
        }
        var username = hasUsername ? Encoding.UTF8.GetString(usernameValue) : _credentials.UsernameForHash(userHashValue);
        // §9.2.4: without PASSWORD-ALGORITHM and PASSWORD-ALGORITHMS the algorithm is MD5. Otherwise both must be
        // present, PASSWORD-ALGORITHMS exactly as our challenge sent it (so that nobody in between can bid the
        // algorithm down), and PASSWORD-ALGORITHM one of those.
        var algorithm = StunPasswordAlgorithm.Md5;
        bool hasAlgorithm = request.TryGetAttribute(StunAttributeType.PasswordAlgorithm, out var algorithmValue);
        bool hasAlgorithms = request.TryGetAttribute(StunAttributeType.PasswordAlgorithms, out var algorithmsValue);
        if ((hasAlgorithm || hasAlgorithms) &&
            (!hasAlgorithm || !hasAlgorithms || !algorithmsValue.SequenceEqual(PasswordAlgorithms) ||
             !StunCredentials.TryDecodePasswordAlgorithm(algorithmValue, out algorithm) ||
             algorithm is not (StunPasswordAlgorithm.Md5 or StunPasswordAlgorithm.Sha256)))
        {
            Metrics.AuthFailure("bad_password_algorithm");
            if (!AdmitUnauthenticated(connection, now)) return null;
            SendError(connection, request, StunErrorCode.BadRequest, null, "Bad PASSWORD-ALGORITHM or PASSWORD-ALGORITHMS");
            return null;
        }

        bool sha256 = request.HasMessageIntegritySha256;
        bool knownUser = false;
        if (username is not null)
        {
            foreach (var key in _credentials.KeysFor(username, algorithm, now))
            {
                knownUser = true;
                if (sha256 ? request.VerifyMessageIntegritySha256(key) : request.VerifyMessageIntegrity(key))
                    return new Credentials(username, key, sha256, algorithm);
            }
        }
        // As with coturn, an allocation outlives the expiry of the REST credentials that made it: requests on its
        // 5-tuple are checked with the key that authenticated its Allocate (docs/security.md).
        if (!knownUser && connection.Allocation is { } allocation && allocation.Username == username &&
            allocation.CredentialAlgorithm == algorithm && allocation.CredentialKey.Length > 0)
        {
            knownUser = true;
            var key = allocation.CredentialKey;
            if (sha256 ? request.VerifyMessageIntegritySha256(key) : request.VerifyMessageIntegrity(key))
                return new Credentials(username, key, sha256, algorithm);
        }
        Metrics.AuthFailure(knownUser ? "bad_integrity" : "unknown_user");
        _logger.LogInformation("Authentication failed for {User} from {Client}: {Reason}", username ?? "(unknown USERHASH)",
            connection, knownUser ? "wrong password" : "unknown or expired user");
        if (!AdmitUnauthenticated(connection, now)) return null;
        SendChallenge(connection, request, StunErrorCode.Unauthenticated);
        return null;
    }

    /// <summary>
    /// Takes a token from the source's bucket (Turn:UnauthenticatedRequestsPerSecond) before any answer to a
    /// request that has not proved its credentials, whatever the answer is; false when the request is to be dropped.
    /// </summary>
    private bool AdmitUnauthenticated(ClientConnection connection, long now)
    {
        if (_unauthenticated.TryAcquire(connection.RemoteEndPoint.Address, now)) return true;
        Metrics.Dropped("rate_limited");
        return false;
    }

    /// <summary>401 or 438 with a fresh NONCE, the REALM and the PASSWORD-ALGORITHMS we accept (§9.2.4).</summary>
    private void SendChallenge(ClientConnection connection, StunMessageReader request, int code)
    {
        Span<byte> buffer = stackalloc byte[ResponseBufferSize];
        var writer = new StunMessageWriter(buffer, request.Type.ErrorResponse, request.TransactionId);
        writer.AddErrorCode(code);
        TurnTracing.Challenged(code);
        writer.AddString(StunAttributeType.Realm, _credentials.Realm);
        writer.AddString(StunAttributeType.Nonce, _nonces.Issue(connection.RemoteEndPoint.Address, Now));
        writer.Add(StunAttributeType.PasswordAlgorithms, PasswordAlgorithms);
        Finish(ref writer, request, null, connection);
    }

    private void SendError(ClientConnection connection, StunMessageReader request, int code, Credentials? credentials, string? reason = null)
    {
        Span<byte> buffer = stackalloc byte[ResponseBufferSize];
        var writer = new StunMessageWriter(buffer, request.Type.ErrorResponse, request.TransactionId);
        writer.AddErrorCode(code, reason);
        TurnTracing.Failed(code);
        Finish(ref writer, request, credentials, connection);
    }

    /// <summary>SOFTWARE, then MESSAGE-INTEGRITY(-SHA256) when authenticated, then FINGERPRINT if the request had one; sends.</summary>
    private void Finish(ref StunMessageWriter writer, StunMessageReader request, Credentials? credentials, ClientConnection connection) =>
        Finish(ref writer, request.HasFingerprint, credentials, connection);

    private void Finish(ref StunMessageWriter writer, bool fingerprint, Credentials? credentials, ClientConnection connection)
    {
        AddSoftware(ref writer);
        if (credentials is { Key.Length: > 0 })
        {
            if (credentials.Sha256) writer.AddMessageIntegritySha256(credentials.Key);
            else writer.AddMessageIntegrity(credentials.Key);
        }
        if (fingerprint) writer.AddFingerprint();
        connection.Send(writer.Written);
    }

    private void AddSoftware(ref StunMessageWriter writer)
    {
        if (_software is not null) writer.Add(StunAttributeType.Software, _software);
    }
}
