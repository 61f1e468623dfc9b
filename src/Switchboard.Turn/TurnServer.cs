using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;
using Switchboard.Turn.Allocations;
using Switchboard.Turn.Auth;
using Switchboard.Turn.Configuration;
using Switchboard.Turn.Diagnostics;
using Switchboard.Turn.Policy;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn;

/// <summary>
/// The STUN/TURN protocol logic behind every listener: Binding (RFC 8489), Allocate, Refresh,
/// CreatePermission, ChannelBind, Send, ChannelData (RFC 8656), Connect and ConnectionBind (RFC 6062).
/// Listeners frame messages and call <see cref="HandleMessage"/>; one method per RFC section lives in
/// the partial files beside this one.
/// </summary>
public sealed partial class TurnServer : IClientMessageHandler, IDisposable
{
    /// <summary>RFC 8656 §3.2: the default allocation lifetime, 10 minutes.</summary>
    public const int DefaultLifetimeSeconds = 600;

    // Fits the largest answer: a challenge with a REALM and a SOFTWARE of 127 four-byte characters each.
    private const int ResponseBufferSize = 2048;

    private readonly TurnOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly NonceService _nonces;
    private readonly CredentialStore _credentials;
    private readonly SourceRateLimiter _unauthenticated;
    private readonly PeerPolicy _peerPolicy;
    private readonly RelayAddresses _relayAddresses;
    private readonly AllocationLimits _limits;
    private readonly ConcurrentDictionary<long, Allocation> _allocations = new();
    private readonly Dictionary<string, int> _allocationsPerUser = new(StringComparer.Ordinal);
    private readonly Lock _quotaSync = new();
    private readonly byte[]? _software;
    private readonly ITimer _sweeper;
    private int _quotaTaken;
    private long _nextAllocationId;
    private volatile bool _draining;

    public TurnServer(TurnOptions options, ILogger<TurnServer> logger, TurnMetrics metrics, TimeProvider? time = null)
    {
        _options = options;
        _logger = logger;
        Metrics = metrics;
        _time = time ?? TimeProvider.System;
        _nonces = new NonceService(options.NonceLifetimeSeconds);
        _credentials = new CredentialStore(options.Realm, options.Users, options.StaticAuthSecrets);
        _unauthenticated = new SourceRateLimiter(options.UnauthenticatedRequestsPerSecond, options.UnauthenticatedRequestBurst);
        _peerPolicy = new PeerPolicy(options);
        _relayAddresses = RelayAddresses.From(options);
        _limits = new AllocationLimits(options.MaxPermissionsPerAllocation, options.MaxChannelsPerAllocation, options.MaxBitsPerSecond);
        _software = string.IsNullOrEmpty(options.Software) ? null : Encoding.UTF8.GetBytes(options.Software);
        UdpPorts = new RelayPortPool(options.MinPort, options.MaxPort);
        TcpPorts = new RelayPortPool(options.MinPort, options.MaxPort);
        _sweeper = _time.CreateTimer(_ => Sweep(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public TurnMetrics Metrics { get; }
    public RelayPortPool UdpPorts { get; }
    public RelayPortPool TcpPorts { get; }
    public RelayAddresses RelayAddresses => _relayAddresses;
    public int AllocationCount => _allocations.Count;

    /// <summary>The allocations now (a live view: it changes while read).</summary>
    public ICollection<Allocation> Allocations => _allocations.Values;

    /// <summary>Every relayed transport address now, bound and announced: media from one of them came through this server.</summary>
    public HashSet<IPEndPoint> RelayedEndPoints()
    {
        var endPoints = new HashSet<IPEndPoint>();
        foreach (var allocation in _allocations.Values)
        {
            foreach (var relay in (ReadOnlySpan<UdpRelay?>)[allocation.RelayV4, allocation.RelayV6])
                if (relay is not null) endPoints.UnionWith([relay.LocalEndPoint, relay.Announced]);
            if (allocation.TcpRelay is { } tcp) endPoints.UnionWith([tcp.LocalEndPoint, tcp.Announced]);
        }
        return endPoints;
    }
    public bool IsDraining => _draining;

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Stops accepting new allocations; existing ones run until they end.</summary>
    public void StartDraining()
    {
        _draining = true;
        _logger.LogInformation("TURN draining: no new allocations, {Count} still active", _allocations.Count);
    }

    public void HandleMessage(ClientConnection connection, ReadOnlySpan<byte> message)
    {
        if (ChannelData.IsChannelData(message))
        {
            HandleChannelData(connection, message);
            return;
        }
        var error = StunMessageReader.TryParse(message, out var request);
        if (error != StunParseError.None)
        {
            HandleMalformed(connection, message, error);
            return;
        }
        // RFC 8489 §6.3: a message whose FINGERPRINT does not verify is discarded, whatever its class.
        if (request.HasFingerprint && !request.VerifyFingerprint()) { Metrics.Dropped("bad_fingerprint"); return; }
        if (request.Class == StunClass.Indication)
        {
            if (request.Method == StunMethod.Send) HandleSendIndication(connection, request);
            return;
        }
        if (request.Class != StunClass.Request) return; // responses are not for a server

        Metrics.Request(MethodName(request.Method));
        switch (request.Method)
        {
            case StunMethod.Binding: HandleBinding(connection, request); break;
            case StunMethod.Allocate:
                using (TurnTracing.StartAllocate(connection)) HandleAllocate(connection, request);
                break;
            case StunMethod.Refresh: HandleRefresh(connection, request); break;
            case StunMethod.CreatePermission: HandleCreatePermission(connection, request); break;
            case StunMethod.ChannelBind: HandleChannelBind(connection, request); break;
            case StunMethod.Connect: HandleConnect(connection, request); break;
            case StunMethod.ConnectionBind: HandleConnectionBind(connection, request); break;
            default:
                if (AdmitUnauthenticated(connection, Now)) SendError(connection, request, StunErrorCode.BadRequest, null, "Unknown method");
                break;
        }
    }

    public void HandleClosed(ClientConnection connection)
    {
        if (connection.Allocation is { } allocation) Delete(allocation, "connection closed");
    }

    private void HandleChannelData(ClientConnection connection, ReadOnlySpan<byte> message)
    {
        var allocation = connection.Allocation;
        if (allocation is null || !ChannelData.TryParse(message, out ushort channel, out var data))
        {
            Metrics.Dropped("bad_channel_data");
            return;
        }
        allocation.SendChannelData(channel, data);
    }

    /// <summary>
    /// A message that is not well-formed STUN. A request whose header is intact gets 400 (RFC 8489 §6.3.1);
    /// anything else is dropped silently, as a response to noise would only amplify it.
    /// </summary>
    private void HandleMalformed(ClientConnection connection, ReadOnlySpan<byte> message, StunParseError error)
    {
        Metrics.Dropped("malformed");
        bool headerIntact = message.Length >= StunConstants.HeaderLength && StunMessageReader.LooksLikeStun(message);
        if (!headerIntact || error == StunParseError.LengthMismatch && connection.IsStream) return;
        var type = StunMessageType.FromWire((ushort)((message[0] << 8) | message[1]));
        if (type.Class != StunClass.Request) return;
        if (!AdmitUnauthenticated(connection, Now)) return;
        Span<byte> buffer = stackalloc byte[ResponseBufferSize];
        var writer = new StunMessageWriter(buffer, type.ErrorResponse, message.Slice(8, StunConstants.TransactionIdLength));
        writer.AddErrorCode(StunErrorCode.BadRequest, $"Bad Request: {error}");
        AddSoftware(ref writer);
        connection.Send(writer.Written);
    }

    /// <summary>
    /// RFC 8489 §6.3.1: unknown comprehension-required attributes get 420 with UNKNOWN-ATTRIBUTES. §6.3 looks
    /// at them once the authentication checks are done, so the 420 of an authenticated request is signed.
    /// </summary>
    private bool CheckComprehensionRequired(ClientConnection connection, StunMessageReader request, Credentials? credentials)
    {
        Span<ushort> unknown = stackalloc ushort[16];
        int count = UnknownComprehensionRequired(request, unknown);
        if (count == 0) return true;
        Span<byte> buffer = stackalloc byte[ResponseBufferSize];
        var writer = new StunMessageWriter(buffer, request.Type.ErrorResponse, request.TransactionId);
        writer.AddErrorCode(StunErrorCode.UnknownAttribute);
        writer.AddUnknownAttributes(unknown[..count]);
        Finish(ref writer, request, credentials, connection);
        return false;
    }

    /// <summary>Collects the comprehension-required attribute types we do not understand (up to the span's length); returns how many.</summary>
    private static int UnknownComprehensionRequired(StunMessageReader message, Span<ushort> unknown)
    {
        int count = 0;
        foreach (var attribute in message.Attributes)
        {
            if (attribute.Type.IsComprehensionRequired() && !IsUnderstood(attribute.Type) && count < unknown.Length)
                unknown[count++] = (ushort)attribute.Type;
        }
        return count;
    }

    private static bool IsUnderstood(StunAttributeType type) => type switch
    {
        StunAttributeType.Username or StunAttributeType.MessageIntegrity or StunAttributeType.MessageIntegritySha256
            or StunAttributeType.Realm or StunAttributeType.Nonce or StunAttributeType.PasswordAlgorithm
            or StunAttributeType.UserHash or StunAttributeType.ChannelNumber or StunAttributeType.Lifetime
            or StunAttributeType.XorPeerAddress or StunAttributeType.Data or StunAttributeType.RequestedAddressFamily
            or StunAttributeType.EvenPort or StunAttributeType.RequestedTransport or StunAttributeType.DontFragment
            or StunAttributeType.ReservationToken or StunAttributeType.ConnectionId
            or StunAttributeType.Priority or StunAttributeType.UseCandidate => true,
        // Known attributes that belong in responses: §6.3 says known-but-unexpected attributes are ignored.
        StunAttributeType.MappedAddress or StunAttributeType.ErrorCode or StunAttributeType.UnknownAttributes
            or StunAttributeType.XorRelayedAddress or StunAttributeType.XorMappedAddress => true,
        _ => false,
    };

    /// <summary>Binding (RFC 8489 §6.3.1): XOR-MAPPED-ADDRESS of the source, on every listener, no authentication.</summary>
    private void HandleBinding(ClientConnection connection, StunMessageReader request)
    {
        if (!AdmitUnauthenticated(connection, Now)) return;
        if (!CheckComprehensionRequired(connection, request, null)) return;
        Span<byte> buffer = stackalloc byte[ResponseBufferSize];
        var writer = new StunMessageWriter(buffer, request.Type.SuccessResponse, request.TransactionId);
        writer.AddXorAddress(StunAttributeType.XorMappedAddress, connection.RemoteEndPoint);
        writer.AddAddress(StunAttributeType.ResponseOrigin, connection.LocalEndPoint);
        AddSoftware(ref writer);
        if (request.HasFingerprint) writer.AddFingerprint();
        connection.Send(writer.Written);
    }

    private void Sweep()
    {
        try { SweepOnce(); }
        catch (Exception e) { _logger.LogError(e, "TURN sweep failed"); } // the next tick tries again
    }

    private void SweepOnce()
    {
        long now = Now;
        foreach (var allocation in _allocations.Values)
        {
            if (allocation.ExpiresAt <= now) Delete(allocation, "lifetime expired");
            else allocation.ExpireEntries(now);
        }
        UdpPorts.ExpireReservations(now);
        TcpPorts.ExpireReservations(now);
        _unauthenticated.Sweep(now);
    }

    private void Delete(Allocation allocation, string reason)
    {
        if (!_allocations.TryRemove(allocation.Id, out _)) return;
        allocation.Dispose();
        _logger.LogInformation("Allocation {Id} of {User} from {Client} ended: {Reason}", allocation.Id, allocation.Username, allocation.Client, reason);
    }

    private static string MethodName(StunMethod method) => method switch
    {
        StunMethod.Binding => "binding",
        StunMethod.Allocate => "allocate",
        StunMethod.Refresh => "refresh",
        StunMethod.CreatePermission => "create_permission",
        StunMethod.ChannelBind => "channel_bind",
        StunMethod.Connect => "connect",
        StunMethod.ConnectionBind => "connection_bind",
        _ => "other",
    };

    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (var allocation in _allocations.Values) Delete(allocation, "server stopped");
    }
}
