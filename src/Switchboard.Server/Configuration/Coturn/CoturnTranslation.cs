namespace Switchboard.Server.Configuration.Coturn;

/// <summary>
/// The outcome of reading a turnserver.conf: Switchboard configuration entries, the options that
/// were left out, values that cannot be used, and things an operator should double-check.
/// </summary>
public sealed class CoturnTranslation
{
    internal CoturnTranslation(
        IReadOnlyDictionary<string, string?> settings,
        IReadOnlyList<CoturnIgnoredKey> ignored,
        IReadOnlyList<string> errors,
        IReadOnlyList<string> warnings)
    {
        Settings = settings;
        Ignored = ignored;
        Errors = errors;
        Warnings = warnings;
    }

    /// <summary>
    /// Configuration entries such as "Turn:Port" or "Turn:Users:0", ready for
    /// <c>ConfigurationBuilder.AddInMemoryCollection</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>Options that have no Switchboard equivalent or were superseded, in file order.</summary>
    public IReadOnlyList<CoturnIgnoredKey> Ignored { get; }

    /// <summary>Values that cannot be right, each starting with "file:line:". Start-up should stop when any exist.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>Translated settings whose behaviour differs from coturn's, each starting with "file:line:" or "file:".</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>True when there are no errors.</summary>
    public bool Succeeded => Errors.Count == 0;

    /// <summary>
    /// One line for the start-up log, e.g. "coturn keys ignored: verbose (line 3), fingerprint (line 5)";
    /// null when nothing was ignored.
    /// </summary>
    public string? FormatIgnored() =>
        Ignored.Count == 0 ? null : "coturn keys ignored: " + string.Join(", ", Ignored);
}
