using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;
using Switchboard.Turn.Allocations;
using Switchboard.Turn.Auth;
using Switchboard.Turn.Diagnostics;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn;

/// <summary>Allocate (RFC 8656 §7.2, RFC 6062 §5.1) and Refresh (RFC 8656 §8.2).</summary>
public sealed partial class TurnServer
{
    private void HandleAllocate(ClientConnection connection, StunMessageReader request)
    {
        var credentials = Authenticate(connection, request);
        if (credentials is null) return;

        // §7.2 step 2: one allocation per 5-tuple; a retransmitted Allocate gets the same success again.
        if (connection.Allocation is { } existing)
        {
            if (existing.AllocateTransaction.Equals(StunTransactionId.FromBytes(request.TransactionId)))
                SendAllocateSuccess(connection, request, credentials, existing, existing.ReservationToken,
                    existing.AdditionalAddressError, StunAddress.FamilyIPv6);
            else
                SendError(connection, request, StunErrorCode.AllocationMismatch, credentials);
            return;
        }
        if (_draining)
        {
            SendError(connection, request, StunErrorCode.InsufficientCapacity, credentials, "Server Draining");
            return;
        }
        if (!TryReadAllocateRequest(connection, request, credentials, out var wanted)) return;
        if (!TryTakeQuota(credentials.Username, out string? quota))
        {
            Metrics.QuotaRejected(quota!);
            SendError(connection, request, StunErrorCode.AllocationQuotaReached, credentials);
            return;
        }

        var allocation = new Allocation(Interlocked.Increment(ref _nextAllocationId), connection, credentials.Username,
            StunTransactionId.FromBytes(request.TransactionId), _limits, Metrics, _time);
        allocation.Released = OnAllocationReleased;
        allocation.CredentialKey = credentials.Key;
        allocation.CredentialAlgorithm = credentials.Algorithm;
        ulong? reservationToken = null;
        byte additionalFamilyError = 0;
        int additionalError = 0;
        if (wanted.Tcp)
        {
            var relay = CreateTcpRelay(allocation, wanted.Family);
            if (relay is null) { FailAllocate(connection, request, credentials, allocation); return; }
            allocation.AttachTcpRelay(relay);
        }
        else
        {
            UdpRelay? primary;
            if (wanted.ReservationToken is { } token)
                primary = UdpPorts.TryClaim(token, Now, out int reservedPort, out var reservedFamily)
                    ? BindUdpRelay(allocation, reservedFamily, reservedPort, wanted.DontFragment)
                    : null;
            else
                primary = CreateUdpRelay(allocation, wanted.Family, wanted.EvenPort, wanted.ReserveNext, wanted.DontFragment);
            if (primary is null) { FailAllocate(connection, request, credentials, allocation); return; }
            if (wanted.ReserveNext) reservationToken = UdpPorts.Reserve(primary.LocalEndPoint.Port + 1, primary.AddressFamily, Now);

            UdpRelay? additional = null;
            if (wanted.AdditionalIPv6)
            {
                additional = _relayAddresses.V6 is null ? null : CreateUdpRelay(allocation, AddressFamily.InterNetworkV6, false, false, false);
                if (additional is null)
                {
                    additionalFamilyError = StunAddress.FamilyIPv6;
                    additionalError = _relayAddresses.V6 is null ? StunErrorCode.AddressFamilyNotSupported : StunErrorCode.InsufficientCapacity;
                }
            }
            allocation.AttachRelays(
                primary.AddressFamily == AddressFamily.InterNetwork ? primary : null,
                primary.AddressFamily == AddressFamily.InterNetworkV6 ? primary : additional);
        }

        allocation.ReservationToken = reservationToken;
        allocation.AdditionalAddressError = additionalError;
        allocation.LifetimeSeconds = AllocateLifetime(request);
        allocation.ExpiresAt = Now + allocation.LifetimeSeconds * 1000L;
        connection.Allocation = allocation;
        _allocations[allocation.Id] = allocation;
        Metrics.AllocationCreated();
        allocation.RelayV4?.Start();
        allocation.RelayV6?.Start();
        allocation.TcpRelay?.Start();
        _logger.LogInformation("Allocation {Id} for {User} from {Client}: {Relays}, {Lifetime} s", allocation.Id, allocation.Username,
            connection, DescribeRelays(allocation), allocation.LifetimeSeconds);
        SendAllocateSuccess(connection, request, credentials, allocation, reservationToken, additionalError, additionalFamilyError);
    }

    private readonly record struct AllocateRequest(bool Tcp, AddressFamily Family, bool AdditionalIPv6, bool EvenPort,
        bool ReserveNext, ulong? ReservationToken, bool DontFragment);

    /// <summary>The checks of §7.2 steps 3-7 that need no resources; sends the error and returns false on failure.</summary>
    private bool TryReadAllocateRequest(ClientConnection connection, StunMessageReader request, Credentials credentials, out AllocateRequest wanted)
    {
        wanted = default;
        if (!request.TryGetAttribute(StunAttributeType.RequestedTransport, out var transportValue) ||
            !TurnAttributes.TryReadRequestedTransport(transportValue, out byte protocol))
            return Rejected(connection, request, credentials, StunErrorCode.BadRequest, "Missing or malformed REQUESTED-TRANSPORT");
        bool tcp = protocol == TurnAttributes.TransportTcp;
        if (protocol != TurnAttributes.TransportUdp && !(tcp && _options.AllowTcpRelay))
            return Rejected(connection, request, credentials, StunErrorCode.UnsupportedTransportProtocol);
        if (tcp && !connection.IsStream)
            return Rejected(connection, request, credentials, StunErrorCode.BadRequest, "TCP allocations need a TCP or TLS connection"); // RFC 6062 §5.1

        bool hasFamily = request.TryGetAttribute(StunAttributeType.RequestedAddressFamily, out var familyValue);
        bool hasAdditional = request.TryGetAttribute(StunAttributeType.AdditionalAddressFamily, out var additionalValue);
        bool hasToken = request.TryGetAttribute(StunAttributeType.ReservationToken, out var tokenValue);
        bool hasEvenPort = request.TryGetAttribute(StunAttributeType.EvenPort, out var evenPortValue);
        bool dontFragment = request.HasAttribute(StunAttributeType.DontFragment);
        if (hasToken && (hasEvenPort || hasFamily || hasAdditional))
            return Rejected(connection, request, credentials, StunErrorCode.BadRequest, "RESERVATION-TOKEN with EVEN-PORT or an address family");
        if (hasFamily && hasAdditional)
            return Rejected(connection, request, credentials, StunErrorCode.BadRequest, "REQUESTED-ADDRESS-FAMILY with ADDITIONAL-ADDRESS-FAMILY");

        var family = AddressFamily.InterNetwork;
        if (hasFamily)
        {
            if (!TurnAttributes.TryReadAddressFamily(familyValue, out byte f)) return Rejected(connection, request, credentials, StunErrorCode.BadRequest, "Malformed REQUESTED-ADDRESS-FAMILY");
            if (f == TurnAttributes.FamilyIPv6) family = AddressFamily.InterNetworkV6;
            else if (f != TurnAttributes.FamilyIPv4) return Rejected(connection, request, credentials, StunErrorCode.AddressFamilyNotSupported);
        }
        if (hasAdditional && (!TurnAttributes.TryReadAddressFamily(additionalValue, out byte additional) || additional != TurnAttributes.FamilyIPv6))
            return Rejected(connection, request, credentials, StunErrorCode.BadRequest, "ADDITIONAL-ADDRESS-FAMILY must be IPv6"); // §18.11
        if (hasAdditional && tcp) return Rejected(connection, request, credentials, StunErrorCode.BadRequest, "TCP allocations have one address family");
        // With a RESERVATION-TOKEN the family is the reserved address's, found when the token is claimed.
        if (!hasToken && _relayAddresses.LocalFor(family) is null) return Rejected(connection, request, credentials, StunErrorCode.AddressFamilyNotSupported);

        bool reserveNext = false;
        if (hasEvenPort && !TurnAttributes.TryReadEvenPort(evenPortValue, out reserveNext)) return Rejected(connection, request, credentials, StunErrorCode.BadRequest, "Malformed EVEN-PORT");
        ulong? token = null;
        if (hasToken)
        {
            if (!TurnAttributes.TryReadReservationToken(tokenValue, out ulong t)) return Rejected(connection, request, credentials, StunErrorCode.BadRequest, "Malformed RESERVATION-TOKEN");
            token = t;
        }
        if (tcp && (hasEvenPort || hasToken)) return Rejected(connection, request, credentials, StunErrorCode.BadRequest, "EVEN-PORT and RESERVATION-TOKEN are for UDP");

        wanted = new AllocateRequest(tcp, family, hasAdditional, hasEvenPort, reserveNext, token, dontFragment);
        return true;
    }

    private bool Rejected(ClientConnection connection, StunMessageReader request, Credentials credentials, int code, string? reason = null)
    {
        SendError(connection, request, code, credentials, reason);
        return false;
    }

    /// <summary>Allocations per user and in total (Turn:UserQuota, Turn:TotalQuota; 486 when reached).</summary>
    private bool TryTakeQuota(string username, out string? exceeded)
    {
        var user = CredentialStore.QuotaName(username);
        lock (_quotaSync)
        {
            exceeded = null;
            if (_quotaTaken >= _options.EffectiveTotalQuota) exceeded = "total";
            else if (_options.UserQuota > 0 && _allocationsPerUser.GetValueOrDefault(user) >= _options.UserQuota) exceeded = "user";
            if (exceeded is not null) return false;
            _allocationsPerUser[user] = _allocationsPerUser.GetValueOrDefault(user) + 1;
            _quotaTaken++;
            return true;
        }
    }

    private void ReleaseQuota(string username)
    {
        var user = CredentialStore.QuotaName(username);
        lock (_quotaSync)
        {
            _quotaTaken--;
            int count = _allocationsPerUser.GetValueOrDefault(user) - 1;
            if (count <= 0) _allocationsPerUser.Remove(user);
            else _allocationsPerUser[user] = count;
        }
    }

    private void FailAllocate(ClientConnection connection, StunMessageReader request, Credentials credentials, Allocation allocation)
    {
        allocation.Dispose();
        Metrics.QuotaRejected("relay_ports");
        SendError(connection, request, StunErrorCode.InsufficientCapacity, credentials);
    }

    private void OnAllocationReleased(Allocation allocation)
    {
        if (allocation.RelayV4 is { } v4) UdpPorts.Return(v4.LocalEndPoint.Port);
        if (allocation.RelayV6 is { } v6) UdpPorts.Return(v6.LocalEndPoint.Port);
        if (allocation.TcpRelay is { } tcp) TcpPorts.Return(tcp.LocalEndPoint.Port);
        ReleaseQuota(allocation.Username);
        if (allocation.Client.Allocation != allocation) return; // it never went live
        Metrics.AllocationEnded();
        allocation.Client.Allocation = null;
        allocation.Client.OnAllocationEnded();
    }

    /// <summary>A UDP relay on a free port of the range; ports that another program holds are skipped.</summary>
    private UdpRelay? CreateUdpRelay(Allocation allocation, AddressFamily family, bool even, bool reserveNext, bool dontFragment)
    {
        for (int attempt = 0; attempt < 16; attempt++)
        {
            if (!UdpPorts.TryTake(even || reserveNext, reserveNext, out int port)) return null;
            var relay = BindUdpRelay(allocation, family, port, dontFragment);
            if (relay is not null) return relay;
            if (reserveNext) UdpPorts.Return(port + 1);
        }
        return null;
    }

    /// <summary>Binds a taken port; gives the port back and returns null when the bind fails.</summary>
    private UdpRelay? BindUdpRelay(Allocation allocation, AddressFamily family, int port, bool dontFragment)
    {
        var local = _relayAddresses.LocalFor(family)!;
        var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.ReceiveBufferSize = 256 * 1024;
            socket.SendBufferSize = 256 * 1024;
            if (dontFragment && family == AddressFamily.InterNetwork) socket.DontFragment = true; // §7.2 DONT-FRAGMENT
            socket.Bind(new IPEndPoint(local, port));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            UdpPorts.Return(port);
            _logger.LogDebug("Relay port {Port} unavailable: {Error}", port, e.SocketErrorCode);
            return null;
        }
        var announced = new IPEndPoint(_relayAddresses.AnnouncedFor(family)!, port);
        return new UdpRelay(socket, announced, allocation.DeliverFromPeer, OnRelayFailed);
    }

    /// <summary>Handling one datagram from a peer threw: that datagram is lost, the relay goes on.</summary>
    private void OnRelayFailed(UdpRelay relay, Exception e)
    {
        Metrics.Dropped("failed");
        _logger.LogError(e, "Relay {Relay}: a datagram from a peer failed", relay.LocalEndPoint);
    }

    /// <summary>§7.2: the client's LIFETIME, at least the default 600 s and at most Turn:MaxLifetimeSeconds.</summary>
    private int AllocateLifetime(StunMessageReader request)
    {
        int requested = DefaultLifetimeSeconds;
        if (request.TryGetAttribute(StunAttributeType.Lifetime, out var value) && TurnAttributes.TryReadUInt32(value, out uint seconds))
            requested = (int)Math.Min(seconds, int.MaxValue);
        return Math.Min(Math.Max(requested, DefaultLifetimeSeconds), _options.MaxLifetimeSeconds);
    }

    private void SendAllocateSuccess(ClientConnection connection, StunMessageReader request, Credentials credentials,
        Allocation allocation, ulong? reservationToken, int additionalError, byte? additionalFamily)
    {
        Span<byte> buffer = stackalloc byte[ResponseBufferSize];
        var writer = new StunMessageWriter(buffer, request.Type.SuccessResponse, request.TransactionId);
        if (allocation.TcpRelay is { } tcp) writer.AddXorAddress(StunAttributeType.XorRelayedAddress, tcp.Announced);
        if (allocation.RelayV4 is { } v4) writer.AddXorAddress(StunAttributeType.XorRelayedAddress, v4.Announced);
        if (allocation.RelayV6 is { } v6) writer.AddXorAddress(StunAttributeType.XorRelayedAddress, v6.Announced);
        if (additionalError != 0) writer.AddAddressErrorCode(additionalFamily!.Value, additionalError);
        writer.AddUInt32(StunAttributeType.Lifetime, (uint)allocation.LifetimeSeconds);
        if (reservationToken is { } token) writer.AddUInt64(StunAttributeType.ReservationToken, token);
        writer.AddXorAddress(StunAttributeType.XorMappedAddress, connection.RemoteEndPoint);
        if (TurnTracing.IsTraced) TurnTracing.Allocated(DescribeRelays(allocation));
        Finish(ref writer, request, credentials, connection);
    }

    private static string DescribeRelays(Allocation allocation) => allocation.TcpRelay is { } tcp
        ? $"tcp {tcp.Announced}"
        : string.Join(", ", new[] { allocation.RelayV4?.Announced, allocation.RelayV6?.Announced }.Where(a => a is not null));

    /// <summary>Refresh (§8.2): a new lifetime, or deletion with LIFETIME 0.</summary>
    private void HandleRefresh(ClientConnection connection, StunMessageReader request)
    {
        var credentials = Authenticate(connection, request);
        if (credentials is null) return;
        var allocation = connection.Allocation;
        if (allocation is null) { SendError(connection, request, StunErrorCode.AllocationMismatch, credentials); return; }
        if (allocation.Username != credentials.Username) { SendError(connection, request, StunErrorCode.WrongCredentials, credentials); return; }
        if (request.TryGetAttribute(StunAttributeType.RequestedAddressFamily, out var familyValue))
        {
            if (!TurnAttributes.TryReadAddressFamily(familyValue, out byte family)) { SendError(connection, request, StunErrorCode.BadRequest, credentials); return; }
            // Any value but the allocation's own family (an unknown one included) is a mismatch.
            var addressFamily = family switch
            {
                TurnAttributes.FamilyIPv4 => AddressFamily.InterNetwork,
                TurnAttributes.FamilyIPv6 => AddressFamily.InterNetworkV6,
                _ => AddressFamily.Unknown,
            };
            if (addressFamily == AddressFamily.Unknown || !allocation.HasRelayFor(addressFamily)) { SendError(connection, request, StunErrorCode.PeerAddressFamilyMismatch, credentials); return; }
        }

        // §8.2 "desired lifetime": 0 deletes; otherwise min(requested, maximum), but never below the default.
        int lifetime = DefaultLifetimeSeconds;
        if (request.TryGetAttribute(StunAttributeType.Lifetime, out var value))
        {
            if (!TurnAttributes.TryReadUInt32(value, out uint seconds)) { SendError(connection, request, StunErrorCode.BadRequest, credentials); return; }
            lifetime = seconds == 0 ? 0 : Math.Max(DefaultLifetimeSeconds, (int)Math.Min(seconds, (uint)_options.MaxLifetimeSeconds));
        }
        if (lifetime == 0) Delete(allocation, "refreshed with lifetime 0");
        else
        {
            allocation.LifetimeSeconds = lifetime;
            allocation.ExpiresAt = Now + lifetime * 1000L;
        }

        Span<byte> buffer = stackalloc byte[ResponseBufferSize];
        var writer = new StunMessageWriter(buffer, request.Type.SuccessResponse, request.TransactionId);
        writer.AddUInt32(StunAttributeType.Lifetime, (uint)lifetime);
        Finish(ref writer, request, credentials, connection);
    }
}
