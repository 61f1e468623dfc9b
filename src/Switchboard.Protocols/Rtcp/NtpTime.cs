namespace Switchboard.Protocols.Rtcp;

/// <summary>NTP timestamps as RTCP carries them (RFC 3550 §4): seconds since 1900 in the high 32 bits, the fraction in the low.</summary>
public static class NtpTime
{
    private static readonly DateTime Epoch = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static ulong FromDateTime(DateTime utc)
    {
        double seconds = (utc - Epoch).TotalSeconds;
        ulong whole = (ulong)seconds;
        return whole << 32 | (ulong)((seconds - whole) * 4294967296.0);
    }

    public static ulong Now => FromDateTime(DateTime.UtcNow);
}
