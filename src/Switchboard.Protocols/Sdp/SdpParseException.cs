namespace Switchboard.Protocols.Sdp;

/// <summary>Malformed SDP: the 1-based line number and the line, and what is wrong with it.</summary>
public sealed class SdpParseException(int lineNumber, string line, string problem)
    : FormatException($"SDP line {lineNumber}: {problem}: '{(line.Length <= 80 ? line : line[..80] + "...")}'")
{
    public int LineNumber { get; } = lineNumber;
    public string Line { get; } = line;
    public string Problem { get; } = problem;
}
