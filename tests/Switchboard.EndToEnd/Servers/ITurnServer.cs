namespace Switchboard.EndToEnd.Servers;

/// <summary>A running STUN/TURN server on 127.0.0.1, as the interop and browser tests see it.</summary>
public interface ITurnServer
{
    /// <summary>Always 127.0.0.1: tests never reach any other address.</summary>
    string Host { get; }

    /// <summary>UDP and TCP port of the plain listeners.</summary>
    int Port { get; }

    /// <summary>TLS (TCP) and DTLS (UDP) port.</summary>
    int TlsPort { get; }

    /// <summary>What the server printed so far, for failure messages.</summary>
    string OutputTail(int maxChars = 16_000);
}
