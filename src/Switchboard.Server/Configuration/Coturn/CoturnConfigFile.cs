namespace Switchboard.Server.Configuration.Coturn;

/// <summary>
/// Reads coturn's turnserver.conf and translates it into Switchboard's "Turn" configuration section.
/// </summary>
/// <remarks>
/// The line format follows coturn's own reader (read_config_file and parse_arg_string in
/// src/apps/relay/mainrelay.c):
/// <list type="bullet">
/// <item>leading spaces and tabs are skipped; a line that then starts with '#' is a comment, an empty one is skipped;
/// a '#' later in a line is not a comment but part of the value;</item>
/// <item>trailing white space is dropped;</item>
/// <item>the option name ends at the first space, tab or '='; any run of those characters after it is skipped
/// and the rest of the line is the value, so "key=value", "key value", "key = value" are the same;</item>
/// <item>a line with only a name is a flag; flags may also carry a boolean value (on/off, yes/no, true/false, 1/0);</item>
/// <item>a value that starts with '"' loses that quote and one closing quote at its end;</item>
/// <item>names are case-sensitive ("verbose" and "Verbose" are different options).</item>
/// </list>
/// A leading "--" on a name is accepted as well, so that command-line options pasted into the file work.
/// </remarks>
public static class CoturnConfigFile
{
    /// <summary>
    /// Reads and translates the file at <paramref name="path"/>. A file that cannot be read is reported
    /// in <see cref="CoturnTranslation.Errors"/>, not thrown.
    /// </summary>
    public static CoturnTranslation Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            using var reader = File.OpenText(path);
            return Translate(reader, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new CoturnTranslation(
                new Dictionary<string, string?>(),
                [],
                [$"{path}: cannot read the coturn configuration file: {e.Message}"],
                []);
        }
    }

    /// <summary>
    /// Reads and translates turnserver.conf text. <paramref name="fileName"/> only prefixes messages.
    /// </summary>
    public static CoturnTranslation Translate(TextReader reader, string fileName = "turnserver.conf")
    {
        ArgumentNullException.ThrowIfNull(reader);
        return CoturnTranslator.Translate(ReadEntries(reader), fileName);
    }

    /// <summary>
    /// Reads the option lines of turnserver.conf text without interpreting them.
    /// </summary>
    public static IReadOnlyList<CoturnEntry> ReadEntries(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var entries = new List<CoturnEntry>();
        int number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (ParseLine(line, number) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    internal static CoturnEntry? ParseLine(string line, int number)
    {
        var s = line.AsSpan().TrimStart(" \t\n").TrimEnd();
        if (s.IsEmpty || s[0] == '#')
        {
            return null;
        }

        string key;
        string? value = null;
        int separator = s.IndexOfAny(" \t=");
        if (separator < 0)
        {
            key = s.ToString();
        }
        else
        {
            key = s[..separator].ToString();
            var rest = s[separator..].TrimStart(" \t=");
            if (rest.Length > 0 && rest[0] == '"')
            {
                rest = rest[1..].TrimEnd(" \t\r\n");
                if (rest.Length > 0 && rest[^1] == '"')
                {
                    rest = rest[..^1];
                }
            }

            if (rest.Length > 0)
            {
                value = rest.ToString();
            }
        }

        if (key.StartsWith("--", StringComparison.Ordinal))
        {
            key = key[2..];
        }

        return new CoturnEntry(key, value, number);
    }
}
