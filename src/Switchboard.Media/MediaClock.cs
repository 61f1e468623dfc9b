namespace Switchboard.Media;

/// <summary>The media server's time: milliseconds on a <see cref="TimeProvider"/>'s monotonic clock.</summary>
public static class MediaClock
{
    public static long GetMillis(this TimeProvider time) =>
        time.TimestampFrequency >= 1000 ? time.GetTimestamp() / (time.TimestampFrequency / 1000) : (long)time.GetElapsedTime(0).TotalMilliseconds;
}
