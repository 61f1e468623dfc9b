using System.Buffers.Binary;
using System.Text;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>One span of an OTLP export: ids in hex (the parent empty for a root), its scope (the ActivitySource) and string-valued attributes.</summary>
public sealed record OtlpSpan(string TraceId, string SpanId, string ParentSpanId, string Name, string Scope, IReadOnlyDictionary<string, string> Attributes, int StatusCode)
{
    public override string ToString() => $"{Scope} '{Name}' trace {TraceId} span {SpanId} parent {(ParentSpanId.Length == 0 ? "-" : ParentSpanId)} " +
        string.Join(", ", Attributes.Select(a => $"{a.Key}={a.Value}"));
}

/// <summary>
/// Decodes an OTLP ExportTraceServiceRequest (opentelemetry-proto, trace/v1) from the protobuf wire format: only the
/// fields a test reads. Resource spans (1) hold scope spans (2), which hold the scope (1, its name 1) and spans (2).
/// </summary>
public static class OtlpSpans
{
    public static IReadOnlyList<OtlpSpan> Decode(ReadOnlyMemory<byte> request)
    {
        var spans = new List<OtlpSpan>();
        var allScopeSpans = Fields(request).Where(f => f.Number == 1).SelectMany(resourceSpans => Fields(resourceSpans.Bytes).Where(f => f.Number == 2));
        foreach (var scopeSpans in allScopeSpans)
        {
            var scope = Fields(scopeSpans.Bytes).Where(f => f.Number == 1).Select(f => Text(Fields(f.Bytes), 1)).FirstOrDefault() ?? "";
            spans.AddRange(Fields(scopeSpans.Bytes).Where(f => f.Number == 2).Select(f => Span(f.Bytes, scope)));
        }
        return spans;
    }

    /// <summary>Span: trace_id 1, span_id 2, parent_span_id 4, name 5, attributes 9 (KeyValue), status 15 (code 3).</summary>
    private static OtlpSpan Span(ReadOnlyMemory<byte> span, string scope)
    {
        var fields = Fields(span);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var attribute in fields.Where(f => f.Number == 9))
        {
            var keyValue = Fields(attribute.Bytes);
            var value = keyValue.Where(f => f.Number == 2).Select(f => AnyValue(f.Bytes)).FirstOrDefault() ?? "";
            attributes[Text(keyValue, 1) ?? ""] = value;
        }
        int status = fields.Where(f => f.Number == 15).Select(f => (int)(Fields(f.Bytes).FirstOrDefault(s => s.Number == 3)?.Value ?? 0)).FirstOrDefault();
        return new OtlpSpan(Hex(fields, 1), Hex(fields, 2), Hex(fields, 4), Text(fields, 5) ?? "", scope, attributes, status);
    }

    /// <summary>AnyValue: string 1, bool 2, int 3, double 4, as text.</summary>
    private static string? AnyValue(ReadOnlyMemory<byte> value)
    {
        var field = Fields(value).FirstOrDefault();
        return field?.Number switch
        {
            1 => Encoding.UTF8.GetString(field.Bytes.Span),
            2 => field.Value != 0 ? "true" : "false",
            3 => ((long)field.Value).ToString(System.Globalization.CultureInfo.InvariantCulture),
            4 => BitConverter.UInt64BitsToDouble(field.Value).ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        };
    }

    private static string? Text(IEnumerable<Field> fields, int number) =>
        fields.Where(f => f.Number == number).Select(f => Encoding.UTF8.GetString(f.Bytes.Span)).FirstOrDefault();

    private static string Hex(IEnumerable<Field> fields, int number) =>
        fields.Where(f => f.Number == number).Select(f => Convert.ToHexStringLower(f.Bytes.Span)).FirstOrDefault() ?? "";

    /// <summary>One field: its number, and its bytes (length-delimited) or value (varint, fixed64, fixed32).</summary>
    private sealed record Field(int Number, ReadOnlyMemory<byte> Bytes, ulong Value);

    private static List<Field> Fields(ReadOnlyMemory<byte> message)
    {
        var fields = new List<Field>();
        var span = message.Span;
        int at = 0;
        while (at < span.Length)
        {
            ulong key = Varint(span, ref at);
            int number = (int)(key >> 3);
            switch (key & 7)
            {
                case 0:
                    fields.Add(new Field(number, default, Varint(span, ref at)));
                    break;
                case 1:
                    fields.Add(new Field(number, default, BinaryPrimitives.ReadUInt64LittleEndian(span[at..])));
                    at += 8;
                    break;
                case 2:
                    int length = checked((int)Varint(span, ref at));
                    fields.Add(new Field(number, message.Slice(at, length), 0));
                    at += length;
                    break;
                case 5:
                    fields.Add(new Field(number, default, BinaryPrimitives.ReadUInt32LittleEndian(span[at..])));
                    at += 4;
                    break;
                default:
                    throw new FormatException($"wire type {key & 7} of field {number} is not one OTLP uses");
            }
        }
        return fields;
    }

    private static ulong Varint(ReadOnlySpan<byte> span, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = span[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
            if (shift > 63) throw new FormatException("varint longer than 10 bytes");
        }
    }
}
