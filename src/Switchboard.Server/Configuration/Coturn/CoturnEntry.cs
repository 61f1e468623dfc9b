namespace Switchboard.Server.Configuration.Coturn;

/// <summary>
/// One option line of a turnserver.conf.
/// </summary>
/// <param name="Key">Option name without a leading "--", case kept (coturn's names are case-sensitive).</param>
/// <param name="Value">Value with surrounding quotes removed; null for a flag written without a value.</param>
/// <param name="Line">1-based line number in the file.</param>
public sealed record CoturnEntry(string Key, string? Value, int Line);

/// <summary>
/// A turnserver.conf option that was not carried into Switchboard's configuration.
/// </summary>
/// <param name="Key">Option name.</param>
/// <param name="Line">1-based line number in the file.</param>
/// <param name="Reason">Why it was left out when that is not simply "Switchboard has no such setting"; otherwise null.</param>
public sealed record CoturnIgnoredKey(string Key, int Line, string? Reason = null)
{
    public override string ToString() =>
        Reason is null ? $"{Key} (line {Line})" : $"{Key} (line {Line}: {Reason})";
}
