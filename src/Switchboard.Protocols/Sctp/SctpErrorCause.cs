using System.Buffers.Binary;
using System.Text;

namespace Switchboard.Protocols.Sctp;

/// <summary>Error cause codes of ERROR and ABORT chunks (RFC 9260 §3.3.10).</summary>
public enum SctpErrorCauseCode : ushort
{
    InvalidStreamIdentifier = 1,
    MissingMandatoryParameter = 2,
    StaleCookie = 3,
    OutOfResource = 4,
    UnresolvableAddress = 5,
    UnrecognizedChunkType = 6,
    InvalidMandatoryParameter = 7,
    UnrecognizedParameters = 8,
    NoUserData = 9,
    CookieWhileShuttingDown = 10,
    RestartWithNewAddresses = 11,
    UserInitiatedAbort = 12,
    ProtocolViolation = 13,
}

/// <summary>Writes error causes and describes those a peer sent, for a closing reason.</summary>
public static class SctpErrorCause
{
    /// <summary>The longest text a description quotes from a peer's cause.</summary>
    public const int MaxQuotedBytes = 128;

    /// <summary>Writes a cause with a text (or other) value at the start of <paramref name="destination"/>; returns its size.</summary>
    public static int Write(Span<byte> destination, SctpErrorCauseCode code, ReadOnlySpan<byte> information)
    {
        information.CopyTo(SctpParameter.Write(destination, (ushort)code, information.Length));
        return SctpParameter.SizeOf(information.Length);
    }

    /// <summary>A sentence naming the causes of an ABORT or ERROR chunk, with the text of a user-initiated abort.</summary>
    public static string Describe(ReadOnlySpan<byte> causes)
    {
        var text = new StringBuilder();
        var enumerator = new SctpParameterEnumerator(causes);
        int count = 0;
        while (enumerator.MoveNext() && count++ < 4)
        {
            var cause = enumerator.Current;
            if (text.Length > 0) text.Append("; ");
            var code = (SctpErrorCauseCode)cause.RawType;
            text.Append(Enum.IsDefined(code) ? code.ToString() : $"cause {cause.RawType}");
            if (code is SctpErrorCauseCode.UserInitiatedAbort or SctpErrorCauseCode.ProtocolViolation && cause.Value.Length > 0)
            {
                var quoted = Encoding.UTF8.GetString(cause.Value[..Math.Min(cause.Value.Length, MaxQuotedBytes)]);
                text.Append(": ").Append(string.Concat(quoted.Where(c => !char.IsControl(c))));
            }
            else if (code == SctpErrorCauseCode.StaleCookie && cause.Value.Length >= 4)
                text.Append(" (").Append(BinaryPrimitives.ReadUInt32BigEndian(cause.Value)).Append(" µs late)");
        }
        return text.Length == 0 ? "no cause given" : text.ToString();
    }
}
