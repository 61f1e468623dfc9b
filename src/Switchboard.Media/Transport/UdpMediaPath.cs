using System.Net;

namespace Switchboard.Media.Transport;

/// <summary>A peer's UDP address on the host's one socket; equal when the addresses are.</summary>
internal sealed class UdpMediaPath(UdpMediaListener listener, SocketAddress address, IPEndPoint remote) : MediaPath
{
    public SocketAddress Address { get; } = address;
    public override IPEndPoint Remote { get; } = remote;
    public override string Protocol => "udp";

    public override void Send(ReadOnlySpan<byte> packet) => listener.SendTo(packet, Address);

    public override bool Equals(object? obj) => obj is UdpMediaPath other && other.Address.Equals(Address);
    public override int GetHashCode() => Address.GetHashCode();
}
