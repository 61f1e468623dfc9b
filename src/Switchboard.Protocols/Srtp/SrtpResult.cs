namespace Switchboard.Protocols.Srtp;

/// <summary>Why an SRTP or SRTCP packet was not accepted; nothing in the context changes for any of them.</summary>
public enum SrtpResult
{
    Ok,

    /// <summary>Too short, not version 2, or its header runs past its end.</summary>
    Malformed,

    /// <summary>Seen before, or older than the replay window (RFC 3711 §3.3.2).</summary>
    Replayed,

    /// <summary>The authentication tag does not verify.</summary>
    AuthenticationFailed,

    /// <summary>A new SSRC beyond the number of streams one context tracks.</summary>
    TooManyStreams,
}
