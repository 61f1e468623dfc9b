namespace Switchboard.Protocols.DataChannels;

/// <summary>SCTP payload protocol identifiers of WebRTC data channels (RFC 8831 §8, RFC 8832 §8.1).</summary>
public static class DataChannelPpid
{
    public const uint Dcep = 50;
    public const uint Text = 51;
    public const uint Binary = 53;

    /// <summary>An empty text message travels as one zero byte with this PPID (RFC 8831 §6.6).</summary>
    public const uint TextEmpty = 56;

    /// <summary>An empty binary message travels as one zero byte with this PPID.</summary>
    public const uint BinaryEmpty = 57;
}
