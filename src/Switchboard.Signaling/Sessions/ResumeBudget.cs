namespace Switchboard.Signaling.Sessions;

/// <summary>
/// The bytes this node keeps for resumes, against <c>Signaling:ResumeBufferTotalBytes</c>. A message body that many
/// participants' buffers keep (a broadcast) counts once, from the first buffer that keeps it to the last that lets it go.
/// </summary>
public sealed class ResumeBudget(long limit)
{
    long _used;

    public long Limit => limit;

    /// <summary>Bytes of message bodies kept now.</summary>
    public long Used => Volatile.Read(ref _used);

    public bool IsExceeded => Used > limit;

    public void Keep(OutboundMessage message)
    {
        if (message.Keep()) Interlocked.Add(ref _used, message.Length);
    }

    public void LetGo(OutboundMessage message)
    {
        if (message.LetGo()) Interlocked.Add(ref _used, -message.Length);
    }
}
