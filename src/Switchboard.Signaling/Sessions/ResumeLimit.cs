namespace Switchboard.Signaling.Sessions;

/// <summary>The limits of <see cref="ResumeBuffer"/>.</summary>
public enum ResumeLimit
{
    /// <summary><c>Signaling:ResumeBufferMessages</c>.</summary>
    Messages,

    /// <summary><c>Signaling:ResumeBufferBytes</c>.</summary>
    Bytes,

    /// <summary><c>Signaling:ResumeBufferTotalBytes</c>, the node's.</summary>
    ServerBytes,
}
