using System.Net;
using Switchboard.Protocols.Stun;
using Switchboard.Protocols.Turn;
using Switchboard.Turn.Allocations;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn;

/// <summary>CreatePermission (RFC 8656 §10.2), ChannelBind (§12.2) and the Send indication (§11.2).</summary>
public sealed partial class TurnServer
{
    private void HandleCreatePermission(ClientConnection connection, StunMessageReader request)
    {
        var (credentials, allocation) = AuthenticateForAllocation(connection, request);
        if (allocation is null) return;

        Span<PeerKey> peers = stackalloc PeerKey[32];
        int count = 0;
        foreach (var attribute in request.Attributes)
        {
            if (attribute.Type != StunAttributeType.XorPeerAddress) continue;
            if (count == peers.Length) { SendError(connection, request, StunErrorCode.BadRequest, credentials, "Too many XOR-PEER-ADDRESS"); return; }
            if (!StunAddress.TryDecode(attribute.Value, request.TransactionId, out var peer))
            {
                SendError(connection, request, StunErrorCode.BadRequest, credentials, "Malformed XOR-PEER-ADDRESS");
                return;
            }
            if (!CheckPeer(connection, request, credentials!, allocation, peer.Address)) return;
            peers[count++] = PeerKey.From(peer.Address);
        }
        if (count == 0) { SendError(connection, request, StunErrorCode.BadRequest, credentials, "Missing XOR-PEER-ADDRESS"); return; }
        if (!allocation.TryInstallPermissions(peers[..count], Now))
        {
            Metrics.QuotaRejected("permissions");
            SendError(connection, request, StunErrorCode.InsufficientCapacity, credentials, "Permission Quota Reached");
            return;
        }
        SendEmptySuccess(connection, request, credentials!);
    }

    private void HandleChannelBind(ClientConnection connection, StunMessageReader request)
    {
        var (credentials, allocation) = AuthenticateForAllocation(connection, request);
        if (allocation is null) return;
        if (allocation.TcpRelay is not null) { SendError(connection, request, StunErrorCode.BadRequest, credentials, "No channels on TCP allocations"); return; }
        if (!request.TryGetAttribute(StunAttributeType.ChannelNumber, out var channelValue) ||
            !TurnAttributes.TryReadChannelNumber(channelValue, out ushort channel) || !ChannelData.IsValidChannelNumber(channel))
        {
            SendError(connection, request, StunErrorCode.BadRequest, credentials, "Missing or invalid CHANNEL-NUMBER");
            return;
        }
        if (!request.TryGetAttribute(StunAttributeType.XorPeerAddress, out var peerValue) ||
            !StunAddress.TryDecode(peerValue, request.TransactionId, out var peer))
        {
            SendError(connection, request, StunErrorCode.BadRequest, credentials, "Missing or malformed XOR-PEER-ADDRESS");
            return;
        }
        if (!CheckPeer(connection, request, credentials!, allocation, peer.Address)) return;
        switch (allocation.TryBindChannel(channel, peer, Now))
        {
            case ChannelBindOutcome.Bound:
                SendEmptySuccess(connection, request, credentials!);
                break;
            case ChannelBindOutcome.QuotaReached:
                Metrics.QuotaRejected("channels");
                SendError(connection, request, StunErrorCode.InsufficientCapacity, credentials, "Channel Quota Reached");
                break;
            default: // §12.2: the number is bound to another peer, or the peer to another number
                SendError(connection, request, StunErrorCode.BadRequest, credentials, "Channel or peer already bound");
                break;
        }
    }

    /// <summary>
    /// §11.2: no authentication; silently dropped without allocation, peer, data or permission, and
    /// (RFC 8489 §6.3.2) when it carries a comprehension-required attribute we do not understand.
    /// </summary>
    private void HandleSendIndication(ClientConnection connection, StunMessageReader indication)
    {
        var allocation = connection.Allocation;
        Span<byte> address = stackalloc byte[16];
        if (allocation is null || UnknownComprehensionRequired(indication, stackalloc ushort[1]) > 0 ||
            !indication.TryGetAttribute(StunAttributeType.XorPeerAddress, out var peerValue) ||
            !indication.TryGetAttribute(StunAttributeType.Data, out var data) ||
            !StunAddress.TryDecode(peerValue, indication.TransactionId, address, out int addressLength, out int port))
        {
            Metrics.Dropped("bad_send_indication");
            return;
        }
        allocation.SendIndicationData(PeerKey.From(address[..addressLength]), (ushort)port, data);
    }

    /// <summary>The common start of requests on an allocation: credentials, 437 without one, 441 for another user.</summary>
    private (Credentials? Credentials, Allocation? Allocation) AuthenticateForAllocation(ClientConnection connection, StunMessageReader request)
    {
        var credentials = Authenticate(connection, request);
        if (credentials is null) return (null, null);
        var allocation = connection.Allocation;
        if (allocation is null)
        {
            SendError(connection, request, StunErrorCode.AllocationMismatch, credentials);
            return (credentials, null);
        }
        if (allocation.Username != credentials.Username)
        {
            SendError(connection, request, StunErrorCode.WrongCredentials, credentials);
            return (credentials, null);
        }
        return (credentials, allocation);
    }

    /// <summary>443 when the allocation has no relay of the peer's family; 403 when the peer policy denies it.</summary>
    private bool CheckPeer(ClientConnection connection, StunMessageReader request, Credentials credentials, Allocation allocation, IPAddress peer)
    {
        if (!allocation.HasRelayFor(peer.AddressFamily))
        {
            SendError(connection, request, StunErrorCode.PeerAddressFamilyMismatch, credentials);
            return false;
        }
        var decision = _peerPolicy.Evaluate(peer);
        if (decision.IsAllowed) return true;
        Metrics.PeerDenied(decision.Reason.ToString());
        SendError(connection, request, StunErrorCode.Forbidden, credentials, "Forbidden: peer address not allowed");
        return false;
    }

    private void SendEmptySuccess(ClientConnection connection, StunMessageReader request, Credentials credentials)
    {
        Span<byte> buffer = stackalloc byte[ResponseBufferSize];
        var writer = new StunMessageWriter(buffer, request.Type.SuccessResponse, request.TransactionId);
        Finish(ref writer, request, credentials, connection);
    }
}
