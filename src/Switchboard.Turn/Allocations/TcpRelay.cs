using System.Net;
using System.Net.Sockets;

namespace Switchboard.Turn.Allocations;

public sealed class TcpRelay : IDisposable
{
    public IPEndPoint LocalEndPoint { get; } = new(IPAddress.Any, 0);
    public IPEndPoint Announced => LocalEndPoint;
    public AddressFamily AddressFamily => LocalEndPoint.AddressFamily;
    public void Start() { }
    public void Dispose() { }
}
