namespace Switchboard.Protocols.Sdp;

/// <summary>One "&lt;type&gt;=&lt;value&gt;" line (RFC 8866 §5), kept as it came so that a round trip changes nothing.</summary>
public readonly record struct SdpLine(char Type, string Value)
{
    public override string ToString() => $"{Type}={Value}";

    /// <summary>For "a=name:value" the name; for "a=flag" the flag; null for other line types.</summary>
    public string? AttributeName => Type != 'a' ? null : Value.IndexOf(':') is var colon and >= 0 ? Value[..colon] : Value;

    /// <summary>For "a=name:value" the value; empty for a flag.</summary>
    public string AttributeValue => Value.IndexOf(':') is var colon and >= 0 ? Value[(colon + 1)..] : "";
}
