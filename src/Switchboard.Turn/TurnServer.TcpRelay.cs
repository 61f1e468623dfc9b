using System.Net.Sockets;
using Switchboard.Protocols.Stun;
using Switchboard.Turn.Allocations;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn;

/// <summary>TURN extensions for TCP allocations (RFC 6062): Connect, ConnectionBind, ConnectionAttempt.</summary>
public sealed partial class TurnServer
{
    private TcpRelay? CreateTcpRelay(Allocation allocation, AddressFamily family) => null;

    private void HandleConnect(ClientConnection connection, StunMessageReader request) =>
        SendError(connection, request, StunErrorCode.BadRequest, null, "Not yet");

    private void HandleConnectionBind(ClientConnection connection, StunMessageReader request) =>
        SendError(connection, request, StunErrorCode.BadRequest, null, "Not yet");
}
