namespace Switchboard.Turn.Certificates;

/// <summary>The public key type of the server certificate; it decides which (D)TLS cipher suites can be offered.</summary>
public enum ServerKeyAlgorithm { Rsa, Ecdsa }
