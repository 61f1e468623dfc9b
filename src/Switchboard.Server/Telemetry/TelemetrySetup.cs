using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Switchboard.Media;
using Switchboard.Signaling;
using Switchboard.Turn.Diagnostics;

namespace Switchboard.Server.Telemetry;

/// <summary>
/// OpenTelemetry for the process (docs/metrics.md, docs/tracing.md): the meters /metrics serves in Prometheus format,
/// and, only when an OTLP endpoint is configured, the tracer that exports the servers' spans and ASP.NET Core's. With
/// no endpoint no tracer is registered, so nothing listens to the activity sources and spans are never made.
/// </summary>
public static class TelemetrySetup
{
    public const string EndpointKey = "Telemetry:Otlp:Endpoint", ProtocolKey = "Telemetry:Otlp:Protocol";

    /// <summary>The meters exported: the three servers', ASP.NET Core's requests and the runtime's.</summary>
    public static readonly string[] Meters =
        [TurnMetrics.MeterName, SignalingMetrics.MeterName, MediaMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "System.Runtime"];

    /// <summary>Registers metrics, and tracing when configured; returns why the configuration is invalid, or null.</summary>
    public static string? AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var builder = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? "switchboard"))
            .WithMetrics(metrics => metrics.AddMeter(Meters).AddPrometheusExporter());

        string? endpoint = configuration[EndpointKey];
        bool standard = !string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]) || !string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);
        if (string.IsNullOrEmpty(endpoint) && !standard) return null;
        Action<OtlpExporterOptions> exporter = _ => { }; // the exporter reads the OTEL_EXPORTER_OTLP_* variables itself
        if (!string.IsNullOrEmpty(endpoint))
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                return $"{EndpointKey} must be an http:// or https:// URL, not '{endpoint}'";
            string protocol = configuration[ProtocolKey] ?? "http/protobuf";
            if (protocol is not ("http/protobuf" or "grpc")) return $"{ProtocolKey} must be http/protobuf or grpc, not '{protocol}'";
            exporter = options =>
            {
                options.Protocol = protocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                options.Endpoint = protocol == "grpc" ? uri : TracesPath(uri);
            };
        }
        builder.WithTracing(tracing => tracing
            .AddSource(SignalingTracing.SourceName, MediaTracing.SourceName, TurnTracing.SourceName)
            .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context =>
                !context.Request.Path.StartsWithSegments("/metrics") && !context.Request.Path.StartsWithSegments("/healthz"))
            .AddOtlpExporter(exporter));
        return null;
    }

    /// <summary>OTLP/HTTP takes traces at /v1/traces under the collector's base URL (as OTEL_EXPORTER_OTLP_ENDPOINT is read).</summary>
    private static Uri TracesPath(Uri endpoint) =>
        endpoint.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal) ? endpoint : new Uri(endpoint.ToString().TrimEnd('/') + "/v1/traces");
}
